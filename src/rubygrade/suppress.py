"""Inline suppressions: ``# rubygrade:disable RG401 reason`` in the analysed code.

A directive suppresses the listed rules on its own line; when the comment is
alone on its line it also covers the next line. It is written in the host
language's comment: Ruby/YAML ``#``, ERB ``<%# ... %>``, JavaScript ``//`` or
``/* ... */``, HTML/Markdown ``<!-- ... -->``. Suppressed findings stay in the
report with ``suppressed: true`` and the reason, and never count in the score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rubygrade.models import Finding

_DIRECTIVE = re.compile(
    r"(?P<opener><%#|#|//|/\*|<!--)\s*rubygrade:disable\s+"
    r"(?P<ids>(?:all|RG\d{3})(?:\s*,\s*(?:all|RG\d{3}))*)"
    r"(?P<reason>.*?)\s*(?:%>|\*/|-->)?\s*$")
NO_REASON = "suppressed inline (no reason given)"


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
