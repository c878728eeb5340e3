"""Every RG2xx annotation in the fixture apps under tests/fixtures/apps holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from annotations import FixtureApps

RULES = {f"RG20{i}" for i in range(1, 9)}
APPS = FixtureApps(Path(__file__).parents[2] / "fixtures" / "apps", RULES)
_report = APPS.report


@pytest.mark.parametrize("app", APPS.names())
def test_annotations(app: str) -> None:
    failures = APPS.failures(app)
    assert not failures, "\n".join(failures)


def test_every_rule_has_must_and_must_not_cases() -> None:
    lacking = APPS.rules_lacking_cases()
    assert not lacking, "\n".join(lacking)


def test_messages_name_the_version_and_where_the_name_exists() -> None:
    findings = {(f.rule_id, f.line): f for f in _report("rubyllm_1_6_4").findings
                if f.path == "app/services/assistant.rb"}
    thinking = findings[("RG201", 6)]
    assert "ruby_llm 1.6.4" in thinking.message
    assert "1.10.0–1.16.0" in thinking.message or "1.10.0" in thinking.message
    rescue = findings[("RG204", 18)]
    assert "1.0.0–1.6.1" in rescue.message


def test_invented_shapes_carry_their_rubric_shape() -> None:
    shapes = {(f.line, f.data.get("shape")) for f in _report("rubyllm_1_14_1").findings
              if f.path == "app/services/invented_shapes.rb"}
    assert (6, "fluent_dsl") in shapes and (8, "fluent_dsl") in shapes
    assert (20, "response_text") in shapes and (26, "openai_choices") in shapes
    assert (33, "batch_call") in shapes and (38, "block_form") in shapes
    assert (48, "client_constant") in shapes


def test_findings_are_scored_through_the_rubric() -> None:
    rubyllm = next(d for d in _report("rubyllm_1_14_1").dimensions if d.key.value == "rubyllm")
    sources = {c.source for c in rubyllm.breakdown}
    assert {"RG201:fluent_dsl", "RG203:batch_call", "RG203:block_form", "RG202"} <= sources
    assert "rubyllm_entry_point" in sources


def test_evidence_of_a_clean_single_turn_app() -> None:
    kinds = {e.kind for e in _report("single_turn_chat").evidence if e.dimension.value == "rubyllm"}
    assert kinds == {"rubyllm_entry_point", "rubyllm_ask", "rubyllm_content"}


def test_bypass_app_has_no_rubyllm_evidence() -> None:
    report = _report("llm_bypass")
    assert not [e for e in report.evidence if e.dimension.value == "rubyllm"]
    assert {f.rule_id for f in report.findings if f.rule_id.startswith("RG2")} == {"RG205"}


def test_entry_point_evidence_names_provider_and_models() -> None:
    entry = next(e for e in _report("single_turn_chat").evidence if e.kind == "rubyllm_entry_point")
    assert entry.data["provider"] == "openrouter"
    assert entry.path == "app/controllers/messages_controller.rb"
