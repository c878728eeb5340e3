"""Finding fingerprints: a finding's identity across runs, for baselines and code scanning.

A fingerprint is made of the rule ID, the repo-relative path and the flagged
source (the finding's lines, at most ``MAX_LINES``, with all whitespace
collapsed), plus an occurrence counter so two identical flagged lines in one
file do not collide. It never uses the message (rewording a rule must not
reopen every alert) nor a line number (code moving down must not either).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from rubygrade.models import Finding

VERSION = "v1"
MAX_LINES = 3


def normalised_source(finding: Finding, lines: Sequence[str] | None) -> str:
    """The flagged lines with whitespace collapsed (the snippet when the file is not at hand)."""
    if lines is None or not 0 < finding.line <= len(lines):
        return " ".join(finding.snippet.split())
    last = min(max(finding.end_line or finding.line, finding.line), finding.line + MAX_LINES - 1,
               len(lines))
    return " ".join(" ".join(lines[n - 1].split()) for n in range(finding.line, last + 1)).strip()


def _digest(rule_id: str, path: str, source: str, occurrence: int) -> str:
    key = "\0".join((VERSION, rule_id, path, source, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


def _fingerprints(findings: Sequence[Finding],
                  lines_of: Callable[[str], Sequence[str] | None]) -> list[str]:
    """One fingerprint per finding, in the order given; occurrences counted in report order."""
    order = sorted(range(len(findings)), key=lambda i: findings[i].sort_key())
    cache: dict[str, Sequence[str] | None] = {}
    seen: dict[tuple[str, str, str], int] = {}
    out = [""] * len(findings)
    for i in order:
        finding = findings[i]
        if finding.path not in cache:
            cache[finding.path] = lines_of(finding.path)
        source = normalised_source(finding, cache[finding.path])
        key = (finding.rule_id, finding.path, source)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out[i] = _digest(finding.rule_id, finding.path, source, occurrence)
    return out


def assign(findings: Iterable[Finding],
           lines_of: Callable[[str], Sequence[str] | None]) -> list[Finding]:
    """``findings`` with ``fingerprint`` set; ``lines_of(path)`` gives a file's lines (or None)."""
    items = list(findings)
    return [f.model_copy(update={"fingerprint": fp})
            for f, fp in zip(items, _fingerprints(items, lines_of), strict=True)]


def of(findings: Sequence[Finding]) -> list[str]:
    """The fingerprint of each finding, in order. A stored report that predates fingerprints
    gets them from its snippets (the same value for findings on one line)."""
    if all(f.fingerprint for f in findings):
        return [f.fingerprint for f in findings]
    computed = _fingerprints(findings, lambda _path: None)
    return [f.fingerprint or fp for f, fp in zip(findings, computed, strict=True)]
