"""What companion gems (``ruby_llm-mcp``, ``ruby_llm-schema``) add to RubyLLM, as data.

``api_signatures/ruby_llm/companions.toml`` lists, per gem, the constants it defines under
``RubyLLM`` and the methods it adds to the gem's classes. An app that locks the gem may
use them: they are not invented API.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import field
from functools import cache
from typing import TYPE_CHECKING, Any

from rubygrade.dataclass_lite import dataclass
from rubygrade.paths import catalogue_dir

if TYPE_CHECKING:
    from rubygrade.project import Project

COMPANIONS_FILE = "companions.toml"


@dataclass(frozen=True)
class Additions:
    """What the app's locked companion gems add."""

    constants: frozenset[str] = frozenset()
    methods: dict[str, frozenset[str]] = field(default_factory=dict)

    def defines_constant(self, name: str) -> bool:
        parts = name.removeprefix("::").split("::")
        return any("::".join(parts[:i]) in self.constants for i in range(2, len(parts) + 1))

    def adds_method(self, owner: str, name: str) -> bool:
        return name in self.methods.get(owner, frozenset())


@cache
def _table() -> dict[str, tuple[frozenset[str], dict[str, frozenset[str]]]]:
    """gem -> (constants it defines, owner -> methods it adds)."""
    with open(catalogue_dir() / COMPANIONS_FILE, "rb") as handle:
        gems: dict[str, dict[str, Any]] = tomllib.load(handle)["gems"]
    return {gem: (frozenset(entry.get("constants", [])),
                  {owner: frozenset(names) for owner, names in entry.get("methods", {}).items()})
            for gem, entry in gems.items()}


def additions(project: Project) -> Additions:
    """The additions of every companion gem the lockfile holds (``ruby_llm-*``, any
    spelling with ``-`` or ``_``)."""
    locked = {re.sub(r"[-_]", "-", g).lower() for g in (project.lockfile.gems if project.lockfile
                                                        else {})}
    constants: set[str] = set()
    methods: dict[str, set[str]] = {}
    for gem, (defined, added) in sorted(_table().items()):
        if re.sub(r"[-_]", "-", gem).lower() not in locked:
            continue
        constants.update(defined)
        for owner, names in added.items():
            methods.setdefault(owner, set()).update(names)
    return Additions(frozenset(constants), {k: frozenset(v) for k, v in methods.items()})
