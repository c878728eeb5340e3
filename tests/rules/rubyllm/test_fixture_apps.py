"""RubyLLM rules on the fixture apps: messages name the version, findings carry their shape."""

from __future__ import annotations

from annotations import app_path, app_report

from rubygrade.models import Confidence


def _line(app: str, path: str, code: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``code``."""
    lines = (app_path(app) / path).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if code in text)


def test_messages_name_the_version_and_where_the_name_exists() -> None:
    path = "app/services/assistant.rb"
    findings = {(f.rule_id, f.line): f for f in app_report("rubyllm_1_6_4").findings
                if f.path == path}
    thinking = findings[("RG201", _line("rubyllm_1_6_4", path, "chat.with_thinking"))]
    assert "ruby_llm 1.6.4" in thinking.message
    assert "1.10.0–1.16.0" in thinking.message or "1.10.0" in thinking.message
    rescue = findings[("RG204", _line("rubyllm_1_6_4", path, "UnsupportedFunctionsError"))]
    assert "1.0.0–1.6.1" in rescue.message


def test_invented_shapes_carry_their_rubric_shape() -> None:
    path = "app/services/invented_shapes.rb"
    shapes = {(f.line, f.data.get("shape")) for f in app_report("rubyllm_1_14_1").findings
              if f.path == path}
    expected = [("chat.system(", "fluent_dsl"), ("chat.user question", "fluent_dsl"),
                ("response.text", "response_text"), ("response.choices", "openai_choices"),
                ("messages: history", "batch_call"), ("with_model {", "block_form"),
                ("RubyLLM::Client.new", "client_constant"),
                ("Openrouter::Client.new", "client_constant")]
    missing = [(code, shape) for code, shape in expected
               if (_line("rubyllm_1_14_1", path, code), shape) not in shapes]
    assert not missing


def test_findings_are_scored_through_the_rubric() -> None:
    rubyllm = next(d for d in app_report("rubyllm_1_14_1").dimensions if d.key.value == "rubyllm")
    sources = {c.source for c in rubyllm.breakdown}
    assert {"RG201:fluent_dsl", "RG203:batch_call", "RG203:block_form", "RG202"} <= sources
    assert "rubyllm_entry_point" in sources


def test_evidence_of_a_clean_single_turn_app() -> None:
    kinds = {e.kind for e in app_report("single_turn_chat").evidence
             if e.dimension.value == "rubyllm"}
    assert kinds == {"llm_call", "rubyllm_entry_point", "rubyllm_ask", "rubyllm_content"}


def test_bypass_app_has_no_rubyllm_evidence() -> None:
    report = app_report("llm_bypass")
    kinds = {e.kind for e in report.evidence if e.dimension.value == "rubyllm"}
    assert not {k for k in kinds if k.startswith("rubyllm_")}  # it calls an LLM, not RubyLLM
    assert "llm_call" in kinds
    assert {f.rule_id for f in report.findings if f.rule_id.startswith("RG2")} == {"RG205"}


def test_entry_point_evidence_names_provider_and_models() -> None:
    entry = next(e for e in app_report("single_turn_chat").evidence
                 if e.kind == "rubyllm_entry_point")
    assert entry.data["provider"] == "openrouter"
    assert entry.path == "app/controllers/messages_controller.rb"


def test_a_client_whose_gem_is_not_bundled_is_dead_code_not_a_bypass() -> None:
    report = app_report("llm_bypass")
    by_path = {f.path: f for f in report.findings if f.rule_id == "RG205"}
    dead = by_path["app/services/unbundled_draft.rb"]
    assert (dead.confidence, dead.data.get("shape")) == (Confidence.LOW, "not_bundled")
    assert "NameError" in dead.message
    live = by_path["app/services/openai_reply.rb"]
    assert live.confidence != Confidence.LOW and "shape" not in live.data


def test_a_bypass_is_credited_for_the_practices_it_shows_and_loses_five() -> None:
    report = app_report("llm_bypass")
    shown = {(e.kind, e.path) for e in report.evidence if e.kind.startswith("bypass_")}
    conversation = "app/services/openai_conversation.rb"
    assert shown == {("bypass_client", conversation), ("bypass_reply", conversation),
                     ("bypass_multi_turn", conversation), ("bypass_system_prompt", conversation)}
    rubyllm = next(d for d in report.dimensions if d.key.value == "rubyllm")
    assert {c.source: c.points for c in rubyllm.breakdown}["RG205"] == -5
    assert rubyllm.score == 15  # 8 + 4 + 4 + 4 through the other client, -5 for the bypass


def test_a_bypass_without_history_or_system_prompt_is_not_credited_for_them() -> None:
    report = app_report("llm_bypass_minimal")
    kinds = {e.kind for e in report.evidence if e.kind.startswith("bypass_")}
    assert kinds == {"bypass_client", "bypass_reply"}
