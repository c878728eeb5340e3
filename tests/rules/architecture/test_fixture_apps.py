"""Architecture on the fixture apps: LLM logic in services and partials are recorded as evidence."""

from __future__ import annotations

from annotations import app_report


def test_service_objects_and_partials_are_recorded_as_evidence() -> None:
    evidence = [e for e in app_report("arch_app").evidence if e.dimension.value == "architecture"]
    assert {(e.kind, e.path) for e in evidence} == {
        ("service_objects", "app/services/responder.rb"),
        ("partials", "app/views/messages/_message.html.erb")}


def test_rg701_names_the_llm_work_it_found_and_nothing_else() -> None:
    rg701 = {f.path.rsplit("/", 1)[-1] + ":" + str(f.line): f.message
             for f in app_report("arch_app").findings if f.rule_id == "RG701"}
    # the heredoc of PromptsController#create reaches Responder#reply's ask through a parameter
    prompt = rg701["prompts_controller.rb:5"]
    assert "writes the prompt (line 6)" in prompt and "calls" not in prompt
    # a prompt stored on the record is set as instructions by another controller
    assert "writes the prompt (line 7)" in rg701["plans_controller.rb:5"]
    chat = rg701["planner_chats_controller.rb:6"]
    assert "calls RubyLLM::Chat#ask (line 9)" in chat
    assert "sets up the chat (RubyLLM.chat, with_instructions; line 8)" in chat
    # a fat, branchy action without the LLM is not reported
    assert not [k for k in rg701 if k.startswith("branchy")]
