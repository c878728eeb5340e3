"""The scorer is a pure function; shapes, caps, clamps, confidence and suppression."""

from __future__ import annotations

from pathlib import Path

import pytest

from rubygrade.models import Dimension
from rubygrade.rubric import Rubric, RubricError, RulePoints, load_rubric
from rubygrade.scorer import rescore, score, score_with_ceilings

from .cases import evidence_of, findings_of, load_cases, report_of

REPO = Path(__file__).parents[2]


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


def _with_ceiling(rubric: Rubric, key: str, ceiling: float, points: float = 0) -> Rubric:
    rules = {**rubric.rules, key: RulePoints(points=points, ceiling=ceiling, why=f"{key} ceiling")}
    return rubric.model_copy(update={"rules": rules})


def test_a_rule_ceiling_caps_the_total_while_its_finding_counts() -> None:
    rubric = load_rubric()
    assert rubric.rules["RG113"].ceiling == 0
    _, total, _ = score([], evidence_of(["rubyllm_ask"]), rubric)
    assert total == 84
    (dims, capped, tier), [line] = score_with_ceilings(findings_of(["RG113"]),
                                                       evidence_of(["rubyllm_ask"]), rubric)
    assert capped == 0 and tier == "D"
    assert (line.source, line.points, line.locations) == ("RG113", -79, ["app/f1.rb:1"])
    assert round(sum(d.score for d in dims) + line.points, 2) == capped  # the ceiling line explains it
    for inert in ("RG113 suppressed", "RG113 low"):  # a finding that does not count sets no ceiling
        (_, total_i, _), lines = score_with_ceilings(findings_of([inert]), [], rubric)
        assert lines == [] and total_i == 80


def test_the_lowest_ceiling_wins_and_a_ceiling_above_the_total_takes_nothing() -> None:
    rubric = _with_ceiling(_with_ceiling(load_rubric(), "RG111", 70), "RG112", 90)
    (_, total, _), lines = score_with_ceilings(findings_of(["RG111", "RG112"]), [], rubric)
    assert total == 70
    assert [(c.source, c.points) for c in lines] == [("RG112", 0), ("RG111", -10)]


def test_rescore_applies_the_new_rubrics_ceilings() -> None:
    case = load_cases()[0]
    report = report_of(case)
    report = report.model_copy(update={"findings": [*report.findings, *findings_of(["RG111"])]})
    capped = rescore(report, _with_ceiling(load_rubric(), "RG111", 10))
    assert capped.total == min(report.total, 10) and [c.source for c in capped.ceilings] == ["RG111"]
    assert not capped.comparable and capped.grade_changes[0].kind == "rubric"
    back = rescore(capped, load_rubric())
    assert back.total == report.total and back.ceilings == [] and back.comparable


def test_a_negative_ceiling_is_a_located_rubric_error(tmp_path: Path) -> None:
    text = (REPO / "rules" / "rubric.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("ceiling = 0", "ceiling = -1"), encoding="utf-8")
    with pytest.raises(RubricError, match=r"bad\.toml:\d+: key 'rules\.RG113\.ceiling'"):
        load_rubric(bad)
