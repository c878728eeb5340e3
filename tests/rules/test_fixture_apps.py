"""Every RG1xx, RG3xx and RG6xx annotation in the fixture apps under tests/fixtures/apps holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from annotations import FixtureApps

RULES = {f"RG1{i:02d}" for i in range(1, 13)} | {f"RG30{i}" for i in range(1, 6)} | \
    {f"RG60{i}" for i in range(1, 6)}
APPS = FixtureApps(Path(__file__).parents[1] / "fixtures" / "apps", RULES)
_report = APPS.report


def _ids(app: str, prefix: str = "RG") -> list[tuple[str, str, int]]:
    return sorted((f.rule_id, f.path, f.line) for f in _report(app).findings
                  if f.rule_id.startswith(prefix))


@pytest.mark.parametrize("app", APPS.names())
def test_annotations(app: str) -> None:
    failures = APPS.failures(app)
    assert not failures, "\n".join(failures)


def test_every_rule_has_must_and_must_not_cases() -> None:
    lacking = APPS.rules_lacking_cases()
    assert not lacking, "\n".join(lacking)


def test_good_app_is_clean_in_dimensions_1_3_6() -> None:
    found = [i for i in _ids("good_chat") if i[0][2] in "136"]
    assert found == []
    kinds = {e.kind for e in _report("good_chat").evidence}
    assert {"turbo_broadcast", "turbo_stream_response", "stimulus_controller"} <= kinds


def test_one_required_gem_finding_per_missing_gem() -> None:
    gems = sorted(f.data["gem"] for f in _report("bad_deliverables").findings if f.rule_id == "RG106")
    assert gems == ["brakeman", "bundler-audit", "rubocop", "simplecov", "stimulus-rails",
                    "tailwindcss"]
    nested = [f.data["gem"] for f in _report("nested_app").findings if f.rule_id == "RG106"]
    assert nested == ["tailwindcss"]  # cssbundling-rails without tailwind in package.json


def test_doubles_of_missing_api_name_the_version() -> None:
    messages = [f.message for f in _report("fake_doubles").findings if f.rule_id == "RG302"]
    assert any("RubyLLM::Client" in m and "ruby_llm 1.14.1" in m for m in messages)
    assert any("RubyLLM::Chat#user" in m for m in messages)


def test_component_kinds_are_reported_one_finding_each() -> None:
    kinds = sorted(f.data["kind"] for f in _report("bad_deliverables").findings if f.rule_id == "RG305")
    assert kinds == ["services", "views"]  # the bad app has no controller of its own
