"""Ruby 3 argument binding against real 1.14.1 signatures and synthetic ones."""

from __future__ import annotations

import tree_sitter_ruby
from tree_sitter import Language, Parser

from rubygrade.catalogue.binding import CallShape, bind, call_shape_from_node
from rubygrade.catalogue.model import MethodSig, Param


def kinds(problems):
    return [p.kind for p in problems]


def test_add_message_braceless_hash_is_valid(cat1141):
    sig = cat1141.find_method("RubyLLM::Chat", "add_message")
    assert bind(sig, CallShape(keywords=("role", "content"))) == []
    assert bind(sig, CallShape(positional=1)) == []
    assert kinds(bind(sig, CallShape())) == ["too_few_positional"]
    assert kinds(bind(sig, CallShape(positional=1, keywords=("role",)))) == [
        "too_many_positional"]


def test_chat_unknown_keyword(cat1141):
    sig = cat1141.find_method("RubyLLM", "chat", singleton=True)
    problems = bind(sig, CallShape(keywords=("messages",)))
    assert kinds(problems) == ["unknown_keyword"]
    assert problems[0].name == "messages"
    assert bind(sig, CallShape(keywords=("model", "provider"))) == []


def test_chat_positional_model_is_too_many(cat1141):
    sig = cat1141.find_method("RubyLLM", "chat", singleton=True)
    assert kinds(bind(sig, CallShape(positional=1))) == ["too_many_positional"]


def test_splats_leave_counts_open_but_written_arguments_still_bind(cat1141):
    chat = cat1141.find_method("RubyLLM", "chat", singleton=True)
    ask = cat1141.find_method("RubyLLM::Chat", "ask")
    assert bind(chat, CallShape(splat=True)) == []  # *args may be empty
    assert bind(chat, CallShape(double_splat=True)) == []  # **opts may hold only real keys
    assert bind(ask, CallShape(positional=1, splat=True)) == []  # ask takes 0..1 positionals
    # what is written beside a splat binds whatever the splat holds
    assert kinds(bind(chat, CallShape(positional=2, splat=True))) == ["too_many_positional"]
    assert kinds(bind(chat, CallShape(double_splat=True, keywords=("zzz",)))) == \
        ["unknown_keyword"]
    assert kinds(bind(ask, CallShape(splat=True, keywords=("temperature",)))) == \
        ["unknown_keyword"]


def test_splat_never_reports_a_missing_required_argument(cat1141):
    embed = cat1141.find_method("RubyLLM", "embed", singleton=True)
    assert bind(embed, CallShape(splat=True)) == []


def test_ask_with_block_is_fine(cat1141):
    sig = cat1141.find_method("RubyLLM::Chat", "ask")
    assert bind(sig, CallShape(positional=1, keywords=("with",), block=True)) == []
    assert bind(sig, CallShape()) == []


def test_with_model_block_without_args(cat1141):
    sig = cat1141.find_method("RubyLLM::Chat", "with_model")
    problems = kinds(bind(sig, CallShape(block=True)))
    assert "too_few_positional" in problems
    assert "unexpected_block" in problems
    block_problem = [p for p in bind(sig, CallShape(block=True))
                     if p.kind == "unexpected_block"][0]
    assert block_problem.severity == "warning"


def test_keywords_never_fill_a_positional_when_method_takes_keywords(cat1141):
    sig = cat1141.find_method("RubyLLM::Chat", "with_instructions")
    assert kinds(bind(sig, CallShape(keywords=("append",)))) == ["too_few_positional"]
    assert bind(sig, CallShape(positional=1, keywords=("append", "replace"))) == []


def _sig(*params, **kw):
    return MethodSig(name="m", params=[Param(kind=k, name=n) for k, n in params], **kw)


def test_required_keyword_missing_and_keyrest():
    sig = _sig(("keyreq", "model"))
    assert kinds(bind(sig, CallShape())) == ["missing_keyword"]
    assert bind(_sig(("keyrest", "opts")), CallShape(keywords=("a", "b"))) == []
    assert bind(_sig(("rest", "xs")), CallShape(positional=9)) == []


def test_nokey_rejects_keywords():
    assert kinds(bind(_sig(("nokey", "nil")), CallShape(keywords=("a",)))) == [
        "unknown_keyword"]


def test_block_not_reported_for_unresolved_forward_or_dynamic():
    fwd = _sig(("rest", "*"), ("keyrest", "**"), ("block", "&"), forwards=True)
    assert bind(fwd, CallShape(block=True)) == []
    assert bind(_sig(dynamic=True), CallShape(block=True)) == []


def test_call_shape_from_node():
    parser = Parser(Language(tree_sitter_ruby.language()))
    src = b'chat.ask("hi", with: "a.png", "k" => 1) { |c| c }\nf(*a, **b)\ng({a: 1})\nh(...)\n'
    calls = [n for n in parser.parse(src).root_node.named_children]
    shape = call_shape_from_node(calls[0])
    assert shape == CallShape(positional=1, keywords=("with", "k"), block=True)
    assert call_shape_from_node(calls[1]) == CallShape(splat=True, double_splat=True)
    assert call_shape_from_node(calls[2]) == CallShape(positional=1)
    assert call_shape_from_node(calls[3]) == CallShape(splat=True, double_splat=True, block=True)
