"""The scorer is a pure function; shapes, caps, clamps, confidence and suppression."""

from __future__ import annotations

from rubygrade.models import Dimension
from rubygrade.rubric import Rubric, RulePoints, load_rubric
from rubygrade.scorer import rescore, score

from .cases import evidence_of, findings_of, load_cases, report_of


def _zero_rg201(rubric: Rubric) -> Rubric:
    rules = {k: (RulePoints(points=0, why=v.why) if k.split(":")[0] == "RG201" else v)
             for k, v in rubric.rules.items()}
    return rubric.model_copy(update={"rules": rules})


def test_same_inputs_same_output() -> None:
    case = load_cases()[2]
    a = score(findings_of(case["findings"]), evidence_of(case["evidence"]), load_rubric())
    b = score(findings_of(case["findings"]), evidence_of(case["evidence"]), load_rubric())
    assert a == b


def test_shaped_finding_uses_its_entry_and_caps_apply() -> None:
    dims, _, _ = score(findings_of(["RG201:fluent_dsl x3"]), [], load_rubric())
    rubyllm = next(d for d in dims if d.key is Dimension.RUBYLLM)
    change, clamp = rubyllm.breakdown  # rubyllm starts at zero, so the floor clamps it back
    assert (change.source, change.points) == ("RG201:fluent_dsl", -5)
    assert "3 x -5 (capped)" in change.reason
    assert (clamp.source, clamp.points, rubyllm.score) == ("clamp", 5, 0)


def test_zeroing_rg201_changes_the_total_by_exactly_its_penalty() -> None:
    case = next(c for c in load_cases() if c["name"] == "fluent-dsl-history-dropped")
    report = report_of(case)
    after = rescore(report, _zero_rg201(load_rubric()))
    assert after.total - report.total == 5  # RG201:fluent_dsl x2, capped at -5
    assert after.tier == "C" and after.findings == report.findings


def test_not_rails_scores_zero() -> None:
    dims, total, tier = score([], evidence_of(["rubyllm_ask"]), load_rubric(), rails=False)
    assert total == 0 and tier == "D" and all(d.score == 0 for d in dims)


def test_unscored_rule_and_unknown_evidence_are_ignored() -> None:
    dims, total, _ = score(findings_of(["RG111", "RG199"]), [], load_rubric())
    assert total == 80  # only the rubyllm dimension, which starts at zero, is empty
    assert all(not d.breakdown for d in dims)
