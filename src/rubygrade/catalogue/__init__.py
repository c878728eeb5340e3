"""Versioned catalogue of the ruby_llm gem's public API (one JSON file per release).

Import the pieces the checkers need from here::

    from rubygrade.catalogue import load_catalogue, resolve_version, bind, CallShape
"""

from __future__ import annotations

from rubygrade.catalogue.binding import BindProblem, CallShape, bind, call_shape_from_node
from rubygrade.catalogue.model import Catalogue, ClassInfo, MethodSig, Param
from rubygrade.catalogue.store import (
    VersionResolution,
    available_versions,
    load_catalogue,
    resolve_version,
    versions_with_constant,
    versions_with_method,
)

__all__ = [
    "BindProblem",
    "CallShape",
    "Catalogue",
    "ClassInfo",
    "MethodSig",
    "Param",
    "VersionResolution",
    "available_versions",
    "bind",
    "call_shape_from_node",
    "load_catalogue",
    "resolve_version",
    "versions_with_constant",
    "versions_with_method",
]
