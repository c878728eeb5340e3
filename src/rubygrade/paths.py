"""Where rubygrade's own data lives (catalogues, rubric, briefs).

The data folders sit at the repository root (``api_signatures/``, ``rules/``)
so they are easy to read and review. A wheel ships them as package data under
``rubygrade/_data/``; an editable or source checkout reads them in place.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder of one data set: ``"api_signatures"`` or ``"rules"``."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"rubygrade data folder {name!r} not found (looked in {installed} and {checkout})"
    )


def catalogue_dir() -> Path:
    return data_dir("api_signatures") / "ruby_llm"


def rules_dir() -> Path:
    return data_dir("rules")
