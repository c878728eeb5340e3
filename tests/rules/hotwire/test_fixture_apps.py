"""Hotwire on the fixture apps: the good chat's Turbo and Stimulus use is recorded as evidence."""

from __future__ import annotations

from annotations import app_report


def test_good_chat_is_clean_in_deliverables_tests_and_hotwire() -> None:
    report = app_report("good_chat")
    found = [(f.rule_id, f.path, f.line) for f in report.findings if f.rule_id[2] in "136"]
    assert found == []
    kinds = {e.kind for e in report.evidence}
    assert {"turbo_broadcast", "turbo_stream_response", "stimulus_controller"} <= kinds
