"""Error-handling rules on the fixture apps: RG401's shape and route, the evidence of good handling."""

from __future__ import annotations

from annotations import app_report


def test_rg401_shape_is_none_when_nothing_is_guarded_else_partial() -> None:
    none = [f for f in app_report("errors_none").findings if f.rule_id == "RG401"]
    assert [f.data.get("shape") for f in none] == ["none"]
    partial = [f for f in app_report("errors_mixed").findings if f.rule_id == "RG401"]
    assert partial and {f.data.get("shape") for f in partial} == {"partial"}
    errors = next(d for d in app_report("errors_none").dimensions if d.key.value == "errors")
    assert errors.score == 0


def test_rg401_message_names_the_request_path() -> None:
    found = {f.path: f.message for f in app_report("errors_mixed").findings if f.rule_id == "RG401"}
    assert "RepliesController#create → ReplyService#call" in found["app/services/reply_service.rb"]
    assert "SummaryJob#perform" in found["app/jobs/summary_job.rb"]


def test_good_error_handling_is_recorded_as_evidence() -> None:
    kinds = {e.kind for e in app_report("errors_rescue_from").evidence}
    assert {"typed_rescue", "degraded_ui", "api_key_preflight"} <= kinds
    assert "api_key_preflight" not in {e.kind for e in app_report("errors_mixed").evidence}
