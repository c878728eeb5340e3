"""Index: call sites with their argument kinds, blocks, receivers, and rescue attribution."""

from __future__ import annotations

from pathlib import Path

from rubygrade.index import Index
from rubygrade.project import load_project

from .helpers import MINIMAL_APP, write_tree

SERVICE = """\
module Chats
  class Reply
    MAX = 10

    def initialize(chat)
      @chat = chat
    end

    def call(text)
      @chat.user text
      @chat.add_message(role: :user, content: text)
      @chat.ask(text) { |chunk| print chunk.content }
      @chat&.reset_messages!
      RubyLLM.chat(model: "x").with_instructions("be brief").ask(text).content
      forward(*args, **opts, &blk)
    end

    def guarded
      begin
        @chat.ask("a")
      rescue RubyLLM::RateLimitError, Faraday::TimeoutError => e
        log(e)
      else
        after_success
      ensure
        cleanup
      end
    end

    def method_level
      @chat.ask("b")
    rescue => e
      fallback
    end

    def unguarded
      @chat.ask("c")
    end

    def modifier
      @chat.ask("d") rescue nil
    end

    private

    def helper = build_chat

    def self.build
      new(RubyLLM.chat)
    end
  end
end
"""


def _index(tmp_path: Path) -> Index:
    return Index(load_project(write_tree(tmp_path, {**MINIMAL_APP,
                                                    "app/services/chats/reply.rb": SERVICE})))


def _call(index: Index, method: str, line: int):
    return next(c for c in index.calls_named(method) if c.line == line)


def test_classes_methods_and_visibility(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert [c.name for c in index.class_defs("Chats::Reply")] == ["Chats::Reply"]
    methods = {m.key: m for m in index.methods_of("Chats::Reply")}
    assert methods["Chats::Reply#call"].visibility == "public"
    assert methods["Chats::Reply#helper"].visibility == "private"
    assert methods["Chats::Reply.build"].singleton
    assert [(p.kind, p.name) for p in methods["Chats::Reply#call"].params] == [("req", "text")]


def test_parenless_call_with_argument(tmp_path: Path) -> None:
    call = _call(_index(tmp_path), "user", 10)
    assert call.receiver_text == "@chat"
    assert [a.kind for a in call.args] == ["positional"]
    assert not call.parenthesized


def test_braceless_hash_arguments_are_keywords(tmp_path: Path) -> None:
    call = _call(_index(tmp_path), "add_message", 11)
    assert call.keywords == ["role", "content"]
    assert call.positional == []
    assert call.parenthesized


def test_block_and_safe_navigation(tmp_path: Path) -> None:
    index = _index(tmp_path)
    ask = _call(index, "ask", 12)
    assert ask.block is not None and ask.has_block
    assert _call(index, "reset_messages!", 13).safe_navigation


def test_chained_calls_each_recorded_with_their_receiver(tmp_path: Path) -> None:
    index = _index(tmp_path)
    content = _call(index, "content", 14)
    ask = _call(index, "ask", 14)
    instructions = _call(index, "with_instructions", 14)
    chat = _call(index, "chat", 14)
    assert content.receiver == ask.node
    assert ask.receiver == instructions.node
    assert chat.receiver_constant == "RubyLLM"
    assert chat.keyword("model") is not None


def test_splat_double_splat_and_block_pass(tmp_path: Path) -> None:
    call = _call(_index(tmp_path), "forward", 15)
    assert [a.kind for a in call.args] == ["splat", "double_splat", "block_pass"]


def test_rescue_attribution(tmp_path: Path) -> None:
    index = _index(tmp_path)
    guarded = _call(index, "ask", 20)
    assert [r.exceptions for r in guarded.rescues] == [("RubyLLM::RateLimitError",
                                                        "Faraday::TimeoutError")]
    assert guarded.rescues[0].scope == "begin" and not guarded.rescues[0].blanket
    assert _call(index, "log", 22).rescues == ()  # inside the rescue clause itself
    assert _call(index, "after_success", 24).rescues == ()  # else: not guarded
    assert _call(index, "cleanup", 26).rescues == ()  # ensure: not guarded
    method_level = _call(index, "ask", 31)
    assert method_level.rescues[0].scope == "method" and method_level.rescues[0].blanket
    assert _call(index, "ask", 37).rescues == ()
    assert _call(index, "ask", 41).rescues[0].scope == "modifier"


def test_instance_variable_writes_and_constants(tmp_path: Path) -> None:
    index = _index(tmp_path)
    ivar = next(index.assignments_to("ivar", "@chat"))
    assert ivar.enclosing_method is not None and ivar.enclosing_method.name == "initialize"
    assert not ivar.class_level
    const = next(index.assignments_to("constant", "MAX"))
    assert const.class_level


def test_bare_identifier_that_is_not_a_local_is_a_possible_call(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert any(c.bare and c.method == "build_chat" for c in index.calls)
    assert not any(c.bare and c.method == "text" for c in index.calls)  # a parameter


def test_scoped_lookups_match_a_scan(tmp_path: Path) -> None:
    from rubygrade.engine import analyse

    example = Path(__file__).resolve().parents[2] / "examples" / "chatapp"
    index = analyse(example).index
    for a in index.assignments:
        expected = [b for b in index.assignments if b.path == a.path and
                    b.enclosing_method is a.enclosing_method and b.target == a.target and
                    b.name == a.name]
        assert index.assignments_in(a.path, a.enclosing_method, a.target, a.name) == expected
    for path in {c.path for c in index.classes}:
        assert index.classes_in(path) == [c for c in index.classes if c.path == path]
    assert index.classes_in("nope.rb") == [] and index.assignments_in("x", None, "local", "y") == []


def test_recorded_call_facts_match_a_scan(tmp_path: Path) -> None:
    """The facts the indexer records as it walks (per-file slices, class-body macros, calls
    on constants) are what a pass over every call would find, in index order."""
    from rubygrade.engine import analyse
    from rubygrade.index.ruby import CALLBACK_MACRO, HELPER_MACROS

    example = Path(__file__).resolve().parents[2] / "examples" / "chatapp"
    index = analyse(example).index
    paths = list(dict.fromkeys(c.path for c in index.calls))
    assert [path for path, _ in index.calls_by_file()] == paths
    for path, calls in index.calls_by_file():
        assert calls == index.calls_in(path) == [c for c in index.calls if c.path == path]
    assert index.calls_in("nope.rb") == []
    assert index.macros == [
        c for c in index.calls if c.receiver is None and c.enclosing_method is None and
        (c.method in HELPER_MACROS or CALLBACK_MACRO.match(c.method)) and not c.bare]
    model = """\
class Message < ApplicationRecord
  after_create_commit -> { broadcast_later }
  before_save :normalise, if: :draft?
  helper_method :shown
  validates :body, presence: true

  def normalise
    after_save_hook
  end
end
"""
    small = Index(load_project(write_tree(tmp_path, {**MINIMAL_APP,
                                                    "app/models/message.rb": model})))
    assert [(c.method, c.line) for c in small.macros] == [
        ("after_create_commit", 2), ("before_save", 3), ("helper_method", 4)]
    assert index.calls_on_constants == [
        c for c in index.calls if c.receiver is not None and
        c.receiver.type in ("constant", "scope_resolution")]
    assert index.calls_on_constants
