"""Renderers: a report in, text out. Each format is one module with a ``render(report)``."""

from __future__ import annotations

from rubygrade.models import Report

FORMATS = ("text", "json")


def render(report: Report, fmt: str, **options: object) -> str:
    if fmt == "json":
        from rubygrade.render.json import render as render_json

        return render_json(report)
    if fmt == "text":
        from rubygrade.render.text import render as render_text

        return render_text(report, **options)  # type: ignore[arg-type]
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
