"""Inline suppressions: ``# rubygrade:disable RG401 reason`` in the analysed code.

A directive suppresses the listed rules on its own line; when the comment is
alone on its line it also covers the next line. It is written in the host
language's comment: Ruby/YAML ``#``, ERB ``<%# ... %>``, JavaScript ``//`` or
``/* ... */``, HTML/Markdown ``<!-- ... -->``. Suppressed findings stay in the
report with ``suppressed: true`` and the reason, and never count in the score.

``check_directives`` reports a directive that names an unknown rule ID, a
lowercase one or none at all, as a located diagnostic: it would suppress
nothing, and a reader would think it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rubygrade.models import Diagnostic, Finding

_DIRECTIVE = re.compile(
    r"(?P<opener><%#|#|//|/\*|<!--)\s*rubygrade:disable\s+"
    r"(?P<ids>(?:all|RG\d{3})(?:\s*,\s*(?:all|RG\d{3}))*)"
    r"(?P<reason>.*?)\s*(?:%>|\*/|-->)?\s*$")
NO_REASON = "suppressed inline (no reason given)"
# Any directive, well formed or not: the word list after it is checked by check_directives.
_ANY_DIRECTIVE = re.compile(r"(?:<%#|#|//|/\*|<!--)\s*rubygrade:disable\b(?P<rest>.*)$")
_ID_LIST = re.compile(r"\s*(?P<ids>[A-Za-z_]+\d*(?:\s*,\s*[A-Za-z_]+\d*)*)")
_RULE_LIKE = re.compile(r"^[A-Za-z]{1,4}\d{1,4}$")


@dataclass(frozen=True)
class Directive:
    line: int
    rule_ids: frozenset[str]
    reason: str
    alone: bool  # the comment is the only thing on its line

    def covers(self, rule_id: str) -> bool:
        return "all" in self.rule_ids or rule_id in self.rule_ids


def directives(lines: Iterable[str]) -> dict[int, list[Directive]]:
    """Directives by the line they apply to (1-based)."""
    found: dict[int, list[Directive]] = {}
    for number, text in enumerate(lines, start=1):
        if "rubygrade:disable" not in text:
            continue
        match = _DIRECTIVE.search(text)
        if match is None:
            continue
        ids = frozenset(part.strip() for part in match["ids"].split(","))
        reason = match["reason"].strip(" \t-:")
        alone = not text[: match.start()].strip()
        directive = Directive(number, ids, reason, alone)
        found.setdefault(number, []).append(directive)
        if alone:
            found.setdefault(number + 1, []).append(directive)
    return found


def apply(findings: list[Finding], lines_of: Callable[[str], Iterable[str] | None]) -> list[Finding]:
    """Mark findings covered by a directive; ``lines_of(path)`` gives a file's lines (or None).

    Only files that carry a finding are scanned, once each.
    """
    cache: dict[str, dict[int, list[Directive]]] = {}
    result: list[Finding] = []
    for finding in findings:
        if finding.path not in cache:
            lines = lines_of(finding.path)
            cache[finding.path] = directives(lines) if lines is not None else {}
        match = next((d for d in cache[finding.path].get(finding.line, []) if d.covers(finding.rule_id)),
                     None)
        if match is None:
            result.append(finding)
        else:
            result.append(finding.model_copy(update={
                "suppressed": True, "suppression_reason": match.reason or NO_REASON}))
    return result


def check_directives(path: str, lines: Iterable[str], known: frozenset[str]) -> list[Diagnostic]:
    """Diagnostics for the directives of one file that name no known rule (or none at all)."""
    out: list[Diagnostic] = []
    for number, text in enumerate(lines, start=1):
        if "rubygrade:disable" not in text:
            continue
        match = _ANY_DIRECTIVE.search(text)
        if match is None:
            continue
        ids = _ID_LIST.match(match["rest"])
        words = [w.strip() for w in ids["ids"].split(",")] if ids else []
        rule_like = [w for w in words if w == "all" or _RULE_LIKE.match(w)]
        if not rule_like:
            out.append(Diagnostic(
                kind="config", path=path, line=number,
                message="rubygrade:disable names no rule ID (write RGnnn, a comma list, or all); "
                        "it suppresses nothing"))
            continue
        for word in rule_like:
            if word == "all" or word in known:
                continue
            if word.upper() in known:
                why = f"rule IDs are upper case: write {word.upper()}"
            else:
                why = f"unknown rule ID {word}"
            out.append(Diagnostic(kind="config", path=path, line=number,
                                  message=f"rubygrade:disable {word}: {why}; it suppresses nothing"))
    return out
