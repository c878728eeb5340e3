"""Build reports from the hand-computed benchmark cases in tests/fixtures/scoring/cases.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from rubygrade.models import Confidence, Dimension, Evidence, Finding, Report, Severity, ToolInfo
from rubygrade.rubric import load_rubric
from rubygrade.scorer import score

CASES_FILE = Path(__file__).parents[1] / "fixtures" / "scoring" / "cases.toml"
DIGIT = {str(i + 1): d for i, d in enumerate(Dimension)}


def load_cases() -> list[dict[str, Any]]:
    return tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]  # type: ignore[no-any-return]


def findings_of(specs: list[str]) -> list[Finding]:
    """``"RG201:fluent_dsl x2 low"`` -> two low-confidence RG201 findings with that shape."""
    findings = []
    for number, spec in enumerate(specs, start=1):
        words = spec.split()
        rule, _, shape = words[0].partition(":")
        count = next((int(w[1:]) for w in words[1:] if w.startswith("x")), 1)
        for i in range(count):
            findings.append(Finding(
                rule_id=rule, dimension=DIGIT[rule[2]], severity=Severity.ERROR,
                message=f"{rule} finding.", path=f"app/f{number}.rb", line=i + 1,
                confidence=Confidence.LOW if "low" in words else Confidence.HIGH,
                suppressed="suppressed" in words, data={"shape": shape} if shape else {}))
    return findings


def evidence_of(kinds: list[str]) -> list[Evidence]:
    rubric = load_rubric()
    return [Evidence(kind=k, dimension=rubric.evidence[k].dimension, message=f"{k}.",
                     path="app/services/chat.rb", line=1) for k in kinds]


def report_of(case: dict[str, Any]) -> Report:
    findings, evidence = findings_of(case["findings"]), evidence_of(case["evidence"])
    dimensions, total, tier = score(findings, evidence, load_rubric())
    return Report(tool=ToolInfo(version="0.1.0"), root=case["name"], app_root="",
                  ruby_llm_version="1.14.1", findings=findings, evidence=evidence,
                  dimensions=dimensions, total=total, tier=tier)
