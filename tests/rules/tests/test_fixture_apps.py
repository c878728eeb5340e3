"""Test-quality rules on the fixture apps: what RG302 and RG305 say."""

from __future__ import annotations

from annotations import app_report


def test_doubles_of_missing_api_name_the_version() -> None:
    messages = [f.message for f in app_report("fake_doubles").findings if f.rule_id == "RG302"]
    assert any("RubyLLM::Client" in m and "ruby_llm 1.14.1" in m for m in messages)
    assert any("RubyLLM::Chat#user" in m for m in messages)


def test_component_kinds_are_reported_one_finding_each() -> None:
    kinds = sorted(f.data["kind"] for f in app_report("bad_deliverables").findings
                   if f.rule_id == "RG305")
    assert kinds == ["services", "views"]  # the app has no controller of its own
