"""Persistence on the fixture apps: where the conversation lives is recorded as evidence."""

from __future__ import annotations

from annotations import app_report


def test_session_and_cache_history_are_recorded_as_evidence() -> None:
    session = {e.kind for e in app_report("persist_session").evidence}
    assert {"session_history", "session_history_capped"} <= session
    assert "cache_with_ttl" in {e.kind for e in app_report("persist_cache").evidence}
    assert not {"session_history", "cache_with_ttl"} & \
        {e.kind for e in app_report("errors_none").evidence}
