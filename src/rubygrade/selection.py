"""Which rules run: ``--select``/``--ignore`` with rule IDs and prefixes, as Ruff's.

A selector is a rule ID (``RG401``), a prefix of rule IDs (``RG4``, ``RG40``)
or ``ALL``. Every selector must name at least one rule of this version;
anything else (a typo, ``RG999``, a lowercase ``rg201``) is an error that says
what was wrong and what was meant. This module is also the one place the CLI,
the configuration and the suppression checks read the rule registry from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.checks.base import Rule

_SELECTOR = lazy_compile(r"^RG\d{0,3}$")
RULE_ID = lazy_compile(r"^RG\d{3}$")


class SelectionError(ValueError):
    """A selector that names no rule; the message says which and suggests the intended one."""


def registered_rules() -> list[type[Rule]]:
    """Every rule of this version, by ID (the one read of the rule registry)."""
    from rubygrade.checks.base import all_rules

    return all_rules()


def find_rule(rule_id: str) -> type[Rule] | None:
    return next((r for r in registered_rules() if r.id == rule_id), None)


def known_rule_ids() -> frozenset[str]:
    return frozenset(r.id for r in registered_rules())


def _suggestion(text: str, known: Iterable[str]) -> str:
    upper = text.strip().upper()
    if upper != text and (upper in known or _matches(upper, known)):
        return f"; rule IDs are upper case: {upper}"
    import difflib  # only a misspelt rule ID needs it

    close = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.8)
    return f"; did you mean {close[0]}?" if close else ""


def _matches(selector: str, known: Iterable[str]) -> list[str]:
    if selector == "ALL":
        return sorted(known)
    return sorted(r for r in known if r.startswith(selector))


def problem(selector: str, *, prefixes: bool = True) -> str | None:
    """Why ``selector`` names no rule (None when it is fine)."""
    known = known_rule_ids()
    if not selector.strip():
        return "empty rule selector"
    if prefixes and (selector == "ALL" or _SELECTOR.match(selector)) and _matches(selector, known):
        return None
    if not prefixes and selector in known:
        return None
    what = "rule ID or prefix" if prefixes else "rule ID"
    return f"unknown {what} {selector!r}{_suggestion(selector, known)}"


def expand(selectors: Iterable[str]) -> list[str]:
    """The rule IDs named by ``selectors``; raises ``SelectionError`` on the first bad one."""
    known = known_rule_ids()
    out: set[str] = set()
    for selector in selectors:
        why = problem(selector)
        if why:
            raise SelectionError(why)
        out.update(_matches(selector, known))
    return sorted(out)


def split(values: Iterable[str]) -> list[str]:
    """``["RG4,RG2", "RG801"]`` -> ``["RG4", "RG2", "RG801"]`` (comma lists, repeated flags)."""
    return [part.strip() for value in values for part in value.split(",")]


def disabled_rules(select: Iterable[str] | None, ignore: Iterable[str]) -> frozenset[str]:
    """The rules not to run: everything outside ``select`` (all when None), plus ``ignore``."""
    known = known_rule_ids()
    enabled = set(expand(select)) if select is not None else set(known)
    enabled -= set(expand(ignore))
    return frozenset(known - enabled)
