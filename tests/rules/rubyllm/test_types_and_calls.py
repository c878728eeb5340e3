"""Type inference and LLM call-site discovery on small in-memory apps."""

from __future__ import annotations

from pathlib import Path

from appkit import LOCK, write_app

from rubygrade.analysis.values import RType, Scope
from rubygrade.engine import Run, analyse


def _run(tmp_path: Path, files: dict[str, str]) -> Run:
    return analyse(write_app(tmp_path, files))


def _type_at(run: Run, path: str, line: int, method: str) -> RType | None:
    call = next(c for c in run.index.calls if c.path == path and c.line == line
                and c.method == method)
    return run.context.analyses.values.type_at(
        call.receiver, Scope(call.path, call.enclosing_method, call.enclosing_class))


def test_types_flow_through_locals_ivars_methods_and_blocks(tmp_path: Path) -> None:
    run = _run(tmp_path, {"app/services/s.rb": """class S
  def initialize
    @chat = RubyLLM.chat
  end

  def a(q)
    reply = @chat.with_temperature(0.1).ask(q)
    reply.content
    helper.ask(q)
    memo.messages.each { |m| m.role }
    RubyLLM.configure { |config| config.default_model = "x" }
    other.ask(q)
  end

  private

  def helper = RubyLLM::Chat.new

  def memo
    @memo ||= RubyLLM.chat(model: "m")
  end
end
"""})
    path = "app/services/s.rb"
    assert _type_at(run, path, 8, "content") == RType("RubyLLM::Message")
    assert _type_at(run, path, 9, "ask") == RType("RubyLLM::Chat")
    assert _type_at(run, path, 10, "role") == RType("RubyLLM::Message")
    assert _type_at(run, path, 11, "default_model") == RType("RubyLLM::Configuration")
    assert _type_at(run, path, 12, "ask") is None


def test_mixed_ivar_assignments_are_unknown(tmp_path: Path) -> None:
    run = _run(tmp_path, {"app/services/m.rb": """class M
  def a
    @chat = RubyLLM.chat
  end

  def b
    @chat = FakeChat.new
  end

  def c
    @chat.user("x")
  end
end
"""})
    assert _type_at(run, "app/services/m.rb", 11, "user") is None
    assert not [f for f in run.report.findings if f.rule_id == "RG201"]


def test_llm_calls_cover_rubyllm_records_and_bypass(tmp_path: Path) -> None:
    run = _run(tmp_path, {
        "app/models/chat.rb": "class Chat < ApplicationRecord\n  acts_as_chat\nend\n",
        "app/jobs/j.rb": """class J
  def perform(id)
    Chat.find(id).ask("hi")
    RubyLLM.embed("text")
    RubyLLM.chat.ask("x")
    OpenAI::Client.new.chat(parameters: {})
    unknown.ask("y")
  end
end
"""})
    calls = run.context.analyses.llm_calls
    apis = [(c.call.line, c.kind, c.api) for c in calls]
    assert apis == [
        (3, "rubyllm", "RubyLLM::ActiveRecord::ChatLegacyMethods#ask"),
        (4, "rubyllm", "RubyLLM.embed"),
        (5, "rubyllm", "RubyLLM::Chat#ask"),
        (6, "bypass", "OpenAI::Client#chat"),
    ]
    assert calls == sorted(calls, key=lambda c: (c.call.path, c.call.line, c.call.column))


def test_new_acts_as_uses_chat_methods(tmp_path: Path) -> None:
    run = _run(tmp_path, {
        "config/initializers/ruby_llm.rb":
            "RubyLLM.configure do |config|\n  config.use_new_acts_as = true\nend\n",
        "app/models/chat.rb": "class Chat < ApplicationRecord\n  acts_as_chat\n"
                              "  def go = ask('x')\nend\n",
    })
    assert [c.api for c in run.context.analyses.llm_calls] == ["RubyLLM::ActiveRecord::ChatMethods#ask"]


def test_deep_chain_does_not_crash(tmp_path: Path) -> None:
    chain = "RubyLLM.chat" + ".with_temperature(0.1)" * 600 + ".ask('x').text"
    source = f"class Deep\n  def a\n    {chain}\n  end\nend\n"
    run = _run(tmp_path, {"app/services/deep.rb": source})
    assert run.report is not None  # precision: deep chains are unknown, never a crash


def test_heredoc_argument_counts_once(tmp_path: Path) -> None:
    source = ('class H\n  def a\n    RubyLLM.chat.ask(\n      <<~P\n        hi\n      P\n'
              '    ).content\n  end\nend\n')
    run = _run(tmp_path, {"app/services/h.rb": source})
    assert not [f for f in run.report.findings if f.rule_id == "RG203"]


def test_no_ruby_llm_in_the_lockfile_means_no_api_checks(tmp_path: Path) -> None:
    run = _run(tmp_path, {
        "Gemfile.lock": LOCK.replace("    ruby_llm (1.14.1)\n", "").replace("  ruby_llm\n", ""),
        "Gemfile": 'source "https://rubygems.org"\ngem "rails"\n',
        "app/services/x.rb": "class X\n  def a = RubyLLM.chat.user('x')\nend\n"})
    if run.context.catalogue_version is None:
        assert not [f for f in run.report.findings if f.rule_id in ("RG201", "RG202", "RG203")]


def test_broken_and_odd_ruby_never_crashes(tmp_path: Path) -> None:
    source = """class Broken
  def a
    @chat ||=
    chat = RubyLLM.chat(.ask(
    RubyLLM::.new
    x = y = RubyLLM.chat
    y.user "hi"
    chat.ask(*) ; chat.ask(**) ; chat.ask(&)
    RubyLLM.chat.ask("a" => 1)
    -> (chat) { chat.user("x") }.call(1)
  end
  def b(...) = RubyLLM.chat.ask(...)
end
"""
    run = _run(tmp_path, {"app/services/broken.rb": source,
                          "app/views/x.html.erb": "<%= RubyLLM.chat.ask(params[:q]).text %>\n"})
    findings = [(f.rule_id, f.path, f.line) for f in run.report.findings]
    assert ("RG201", "app/views/x.html.erb", 1) in findings
    assert not [f for f in findings if f[0] == "RG201" and f[2] == 10]  # lambda param: unknown
