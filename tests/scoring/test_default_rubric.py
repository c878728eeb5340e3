"""The default rubric reproduces the benchmark's arithmetic (shared RUBRIC.md) on hand-made reports."""

from __future__ import annotations

from typing import Any

import pytest

from rubygrade.models import Dimension
from rubygrade.rubric import load_rubric
from rubygrade.scorer import score

from .cases import evidence_of, findings_of, load_cases

CASES = load_cases()


def test_default_rubric_encodes_the_benchmark_weights() -> None:
    rubric = load_rubric()
    assert {d.value: rubric.dimensions[d].max for d in Dimension} == {
        "deliverables": 25, "rubyllm": 20, "tests": 15, "errors": 10, "persistence": 10,
        "hotwire": 10, "architecture": 5, "production": 5}
    assert rubric.total_max == 100
    assert rubric.tiers == {"A": 80, "B": 60, "C": 40, "D": 0}
    assert [rubric.tier_for(t) for t in (100, 80, 79.99, 60, 59.5, 40, 39, 0)] == \
        ["A", "A", "B", "B", "C", "C", "D", "D"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_benchmark_case_lands_on_its_total_and_tier(case: dict[str, Any]) -> None:
    dimensions, total, tier = score(findings_of(case["findings"]), evidence_of(case["evidence"]),
                                    load_rubric())
    assert [d.score for d in dimensions] == case["scores"], case["why"]
    assert total == case["total"]
    assert tier == case["tier"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_breakdown_explains_every_point(case: dict[str, Any]) -> None:
    rubric = load_rubric()
    dimensions, _, _ = score(findings_of(case["findings"]), evidence_of(case["evidence"]), rubric)
    for d in dimensions:
        start = d.max if rubric.dimensions[d.key].start == "max" else 0
        assert round(start + sum(c.points for c in d.breakdown), 2) == d.score, d.key
        for change in d.breakdown:
            assert change.reason
            assert change.source == "clamp" or change.locations, change
