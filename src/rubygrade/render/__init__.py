"""Renderers: a report in, text out. Each format is one module with a ``render(report)``."""

from __future__ import annotations

import importlib

from rubygrade.models import Report

FORMATS = ("text", "json", "sarif", "markdown", "html")


def render(report: Report, fmt: str, **options: object) -> str:
    """Render ``report`` as ``fmt``; text takes ``colour``/``verbose``, html ``source_url``/``generated``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"rubygrade.render.{fmt}")
    if fmt in ("text", "html"):
        text: str = module.render(report, **options)
    else:
        text = module.render(report)
    return text
