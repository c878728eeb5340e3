"""Issue 18: a dimension with nothing to judge earns nothing, and the report says why."""

from __future__ import annotations

from annotations import app_report

from rubygrade.render.text import render

EMPTY = {
    "tests": "no LLM call found: the tests have no LLM code path to reach, so they earn nothing",
    "errors": "no LLM call found: nothing to guard",
    "persistence": "no LLM call found: no conversation to keep",
    "architecture": "no LLM call found: no service, controller or view for the chat to judge",
}


def test_a_bare_rails_new_is_a_failed_run() -> None:
    report = app_report("rails_new_bare")
    assert report.tier == "D"
    reasons = {d.key.value: [c.reason for c in d.breakdown if c.source == "nothing_to_judge"]
               for d in report.dimensions}
    assert {k: v[0] for k, v in reasons.items() if v} == EMPTY
    assert all(d.score == 0 for d in report.dimensions if d.key.value in EMPTY)
    # deliverables and production are judged on what is there, as before
    judged = {d.key.value: d.score for d in report.dimensions if d.key.value not in EMPTY}
    assert judged["production"] == 5 and judged["deliverables"] < 25


def test_the_text_report_says_why_a_dimension_earned_nothing() -> None:
    text = render(app_report("rails_new_bare"))
    line = next(x for x in text.splitlines() if x.strip().startswith("Error handling"))
    assert "0 / 10" in line and "no LLM call found: nothing to guard" in line


def test_an_app_that_calls_the_model_is_judged_as_before() -> None:
    report = app_report("good_chat")
    assert not [c for d in report.dimensions for c in d.breakdown
                if c.source == "nothing_to_judge"]
