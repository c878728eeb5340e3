"""Persistence on the fixture apps: where the conversation lives is recorded as evidence."""

from __future__ import annotations

from annotations import app_report


def test_session_and_cache_history_are_recorded_as_evidence() -> None:
    session = {e.kind for e in app_report("persist_session").evidence}
    assert {"session_history", "session_history_capped"} <= session
    assert "cache_with_ttl" in {e.kind for e in app_report("persist_cache").evidence}
    assert not {"session_history", "cache_with_ttl"} & \
        {e.kind for e in app_report("errors_none").evidence}


def test_rg506_tells_a_one_shot_app_from_a_lost_conversation() -> None:
    # Only one-shot tasks: no conversation is lost, and the finding says there is none.
    one_shot = [f for f in app_report("one_shot_tasks").findings if f.rule_id == "RG506"]
    assert [(f.path, f.line, f.data.get("shape")) for f in one_shot] == [
        ("app/controllers/tweets_controller.rb", 9, "one_shot")]
    assert "one-shot task (this one and 2 more)" in one_shot[0].message
    assert "stored nowhere" not in one_shot[0].message
    # A chat turn (the user's message sent as typed) kept nowhere: the conversation is lost.
    chat = [f for f in app_report("arch_app").findings if f.rule_id == "RG506"]
    assert [(f.path, f.data.get("shape")) for f in chat] == [("app/controllers/fat_controller.rb", None)]
    assert "stored nowhere" in chat[0].message
