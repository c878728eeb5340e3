"""Baselines: adopt rubygrade on an existing repository by reporting only new findings.

``rubygrade grade . -f json -o baseline.json`` records today's findings; later
runs with ``--baseline baseline.json`` mark every finding whose fingerprint is
in it as suppressed (``in_baseline: true``): it stays in the JSON and SARIF,
is not printed, and does not count in the score or the gates. Matching is by
fingerprint (rule, path, normalised flagged source, occurrence), so a finding
that moves down a file is still the same finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rubygrade import fingerprint
from rubygrade.models import Finding


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a rubygrade JSON report."""


def load(path: str | Path) -> frozenset[str]:
    """The fingerprints of the findings of a stored JSON report."""
    from pydantic import ValidationError

    from rubygrade.models import Report

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    try:
        report = Report.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise BaselineError(f"{path}: not a rubygrade JSON report (write one with "
                            f"`rubygrade grade -f json -o {Path(path).name}`): {where}: "
                            f"{first['msg']}") from None
    return frozenset(fingerprint.of(report.findings))


def apply(findings: Iterable[Finding], known: frozenset[str], label: str) -> list[Finding]:
    """Mark the findings the baseline already has (``label`` names it in the reason)."""
    out = []
    for finding in findings:
        if finding.fingerprint in known and not finding.suppressed:
            finding = finding.model_copy(update={
                "suppressed": True, "in_baseline": True,
                "suppression_reason": f"in the baseline {label}"})
        out.append(finding)
    return out
