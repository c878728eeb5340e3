"""Renderers: a report in, text out. Each format is one module with a ``render(report, ...)``.

Options a caller passes (``colour``, ``verbose``, ``show_source`` for text; ``root_prefix``
for SARIF, ...) reach the format's ``render`` when it takes them and are dropped
otherwise, so one call site can pass everything it knows.
"""

from __future__ import annotations

import importlib
import inspect

from rubygrade.models import Report

FORMATS = ("text", "json", "sarif", "markdown", "html")


def render(report: Report, fmt: str, **options: object) -> str:
    """Render ``report`` as ``fmt`` with the options that format accepts."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"rubygrade.render.{fmt}")
    accepted = inspect.signature(module.render).parameters
    text: str = module.render(report, **{k: v for k, v in options.items() if k in accepted})
    return text
