"""Shared helpers: fixture gems are built once per session (they are tiny)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from rubygrade.catalogue.extractor import build_catalogue
from rubygrade.catalogue.model import Catalogue
from rubygrade.catalogue.store import load_catalogue

GEMS = Path(__file__).resolve().parent.parent / "fixtures" / "gems"


@cache
def fixture_catalogue(name: str) -> Catalogue:
    return build_catalogue(GEMS / name / "lib", "0.0.1", None)


@pytest.fixture(scope="session")
def cat1141() -> Catalogue:
    return load_catalogue("1.14.1")


def pairs(cat: Catalogue, owner: str, name: str, singleton: bool = False) -> list[list[str]]:
    sig = cat.find_method(owner, name, singleton=singleton)
    assert sig is not None, f"{owner} {name} missing"
    return sig.param_pairs()
