"""How the app uses RubyLLM, as facts the evidence collector and RG206/RG207 share.

Only app code counts (test files are excluded): a fake chat in a test is not
the app having a conversation.
"""

from __future__ import annotations

from dataclasses import field
from itertools import chain
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.llm_calls import LlmCall
from rubygrade.analysis.values import ValueFlow, scope_of_call
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite

if TYPE_CHECKING:
    from collections.abc import Callable

    from rubygrade.analysis import Facts
    from rubygrade.analysis.state import StateSite
    from rubygrade.analysis.taint import Taint

_LOOPS = {"while", "until", "for"}
_LOOP_CALLS = {"loop", "each", "times", "each_with_index", "map", "upto"}


@dataclass
class Usage:
    entry_points: list[CallSite] = field(default_factory=list)
    sends: list[CallSite] = field(default_factory=list)  # ask/say/complete on RubyLLM values
    contents: list[CallSite] = field(default_factory=list)
    multi_turn: list[tuple[CallSite, str]] = field(default_factory=list)  # (site, how)
    instructions: list[CallSite] = field(default_factory=list)
    openrouter: list[CallSite] = field(default_factory=list)
    record_sends: list[CallSite] = field(default_factory=list)  # ask/complete on acts_as_chat
    models: list[str] = field(default_factory=list)  # literal model slugs in use

    @property
    def uses_rubyllm(self) -> bool:
        return bool(self.entry_points or self.sends)  # record sends are in ``sends`` too


def collect_usage(facts: Facts, types: ValueFlow, llm_calls: list[LlmCall],
                  state: list[StateSite] | None = None, taint: Taint | None = None) -> Usage:
    """How the app's own code (not tests, not docs) uses RubyLLM."""
    u = Usage()
    project = facts.project
    roles = types.roles
    message_macro = roles.acts_as_macro("acts_as_message")
    message_records = {message_macro.new, message_macro.legacy} if message_macro else set()

    app_paths: dict[str, bool] = {}  # per file, asked once per call

    def app_code(path: str) -> bool:
        found = app_paths.get(path)
        if found is None:
            found = app_paths[path] = project.is_code(path) and not project.is_test(path)
        return found

    for item in llm_calls:
        if item.kind == "rubyllm" and app_code(item.call.path) and \
                item.call.method in roles.chat_sends:
            u.sends.append(item.call)
    receiver_type = types.receiver_type
    # The only names an untyped receiver's call can count by.
    untyped_evidence = roles.instruction_methods | roles.replay_methods | roles.chat_sends
    # ... and a call on a RubyLLM value: one of these names, an ``openrouter_`` setting or a
    # ``model:`` keyword (the branches below). Any other call counts for nothing, whatever
    # its receiver: its type is not asked for.
    counted = untyped_evidence | roles.entry_module_methods | roles.other_entry_points | \
        roles.reply_reads | {"new", "with_model", "default_model"}
    # File by file: the calls of tests and docs are skipped without a look at each one.
    app_calls = chain.from_iterable(calls for path, calls in facts.index.calls_by_file()
                                    if app_code(path))
    for call in app_calls:
        if call.bare:
            continue
        if call.method not in counted and not call.method.startswith("openrouter_") and \
                not _names_model(call):
            continue
        recv = receiver_type(call)
        if recv is None or not recv.is_rubyllm:
            if call.method not in untyped_evidence:
                continue  # the common case: none of the branches below applies
            # Distinctive gem names count on untyped receivers too (evidence, not findings):
            # ``@session.with_runtime_instructions`` on a record passed in as a parameter.
            if call.method in roles.instruction_methods and (
                    call.receiver is not None or types.records or types.subclasses):
                # ``with_instructions(...)`` on self, in a concern an acts_as_chat model or
                # an agent includes, is that chat's system prompt
                u.instructions.append(call)
            elif call.receiver is not None and call.method in roles.replay_methods and \
                    types.records:
                u.multi_turn.append((call, "history is replayed with add_message"))
            elif call.method in roles.chat_sends and _chat_records(types) and \
                    call.receiver is not None:
                # an untyped ``record.ask`` in an app with acts_as_chat models (evidence only)
                u.sends.append(call)
                u.record_sends.append(call)
                u.multi_turn.append((call, "a persisted acts_as_chat conversation is asked"))
            continue
        if recv.kind == "module" and recv.app_class is None and (
                (recv.owner == "RubyLLM" and call.method in
                 roles.entry_module_methods | roles.other_entry_points)
                or (recv.owner in roles.entry_constructors and call.method == "new")):
            u.entry_points.append(call)
            if _openrouter_kw(call):
                u.openrouter.append(call)
        if call.method in roles.reply_reads and (
                (recv.kind == "instance" and recv.owner in roles.reply_classes) or
                (recv.kind == "record" and recv.owner in message_records)):
            u.contents.append(call)  # a reply, or the persisted reply a view shows
        if call.method in roles.instruction_methods:
            u.instructions.append(call)
        if call.method == "with_model" and _openrouter_kw(call):
            u.openrouter.append(call)
        if recv.owner == roles.configuration and call.method.startswith("openrouter_"):
            u.openrouter.append(call)
        _model_slugs(call, u.models)
        if call.method in roles.replay_methods and recv.kind in ("instance", "record"):
            u.multi_turn.append((call, "history is replayed with add_message"))
    for call in u.sends:
        recv = types.receiver_type(call)
        if recv is not None and recv.kind == "record":
            u.record_sends.append(call)
            u.multi_turn.append((call, "the persisted acts_as_chat conversation is reused"))
        elif _in_loop(call.node):
            u.multi_turn.append((call, "the same chat is asked repeatedly"))
    u.multi_turn += _reused_receivers(u.sends)
    shared = {site.owner for site in state or () if site.shape == "class_chat" and site.owner}
    for call in u.sends:
        # ``@chat ||= RubyLLM.chat`` at class level: every request asks the same chat (in one
        # process; RG501 says why that is wrong), so the turns do accumulate.
        if any(owner in call.receiver_text or owner == call.enclosing_class for owner in shared):
            u.multi_turn.append((call, "the same chat object is asked on every request"))
    if taint is not None:
        for call in u.sends:
            # the stored messages pasted into the prompt text: the model sees earlier turns
            if call.positional and "history" in taint.origins(call.positional[0].value,
                                                               scope_of_call(call)):
                u.multi_turn.append((call, "the stored messages are pasted into the prompt"))
        for call in u.instructions:
            # ... or into the system prompt of each request
            if call.method in roles.instruction_methods and call.positional and \
                    "history" in taint.origins(call.positional[0].value, scope_of_call(call)):
                u.multi_turn.append((call, HISTORY_IN_INSTRUCTIONS))
    for cls, _ in _agent_instructions(facts, types):
        u.instructions.append(cls)
    if _chat_records(types):
        u.instructions += _stored_system_prompts(facts, roles.messages_methods, app_code)
    u.multi_turn.sort(key=lambda t: (t[0].path, t[0].line))
    return u


def _names_model(call: CallSite) -> bool:
    """``model: ...`` among the call's arguments (``call.keyword("model")`` is not None),
    asked of nearly every call: a plain loop, no generator."""
    for arg in call.args:
        if arg.kind == "keyword" and arg.name == "model":
            return True
    return False


def _model_slugs(call: CallSite, models: list[str]) -> None:
    """``model: "x"``, ``with_model("x")``, ``config.default_model = "x"``."""
    values: list[Node | None] = []
    if (arg := call.keyword("model")) is not None:
        values.append(arg.value)
    if call.method == "with_model" and call.positional:
        values.append(call.positional[0].node)
    if call.method == "default_model":  # ``Node.parent`` is costly: only asked when it counts
        parent = treeutil.parent_of(call.node)
        if parent is not None and parent.type == "assignment":
            values.append(parent.child_by_field_name("right"))
    for node in values:
        slug = treeutil.string_value(node)
        if slug and slug not in models:
            models.append(slug)


#: A multi-turn way: the system prompt of each request carries the stored messages.
HISTORY_IN_INSTRUCTIONS = "the stored messages are pasted into the system prompt"

#: How an app adds a stored message to a conversation's ``messages`` association.
MESSAGE_WRITES = ("create", "create!", "build", "new")


def _stored_system_prompts(facts: Facts, associations: frozenset[str],
                           app_code: Callable[[str], bool]) -> list[CallSite]:
    """``messages.create!(role: "system", ...)`` in an app with acts_as_chat records.

    A system prompt stored as a message is one: the gem's own ``with_instructions`` on an
    acts_as_chat record persists it the same way, and the record hands every stored
    message, system ones included, to the chat on each ask.
    """
    found = []
    for call in facts.index.calls_named(*MESSAGE_WRITES):
        if call.receiver is None or not app_code(call.path):
            continue
        if call.receiver_text.rpartition(".")[2] not in associations:
            continue
        role = call.keyword("role")
        if role is not None and treeutil.string_value(role.value) == "system":
            found.append(call)
    return sorted(found, key=lambda c: (c.path, c.line, c.column))


def _chat_records(types: ValueFlow) -> bool:
    return any(module in types.chat_record_modules for module in types.records.values())


def _openrouter_kw(call: CallSite) -> bool:
    arg = call.keyword("provider")
    return arg is not None and treeutil.string_value(arg.value) == "openrouter"


def _in_loop(node: Node) -> bool:
    for anc in treeutil.ancestors(node):
        kind = anc.type
        if kind in _LOOPS:
            return True
        if kind in ("block", "do_block"):
            # the block's call: ``Node.parent`` searches down from the root, so only asked here
            owner = treeutil.parent_of(anc)
            if owner is not None and \
                    treeutil.text(owner.child_by_field_name("method")) in _LOOP_CALLS:
                return True
        if kind in ("method", "singleton_method"):
            return False
    return False


def _reused_receivers(sends: list[CallSite]) -> list[tuple[CallSite, str]]:
    """Two sends on the same variable in one method: a follow-up turn."""
    seen: dict[tuple[str, int, str], CallSite] = {}
    out: list[tuple[CallSite, str]] = []
    for call in sends:
        if call.receiver is None or call.receiver.type not in ("identifier", "instance_variable"):
            continue
        method_line = call.enclosing_method.line if call.enclosing_method else 0
        key = (call.path, method_line, call.receiver_text)
        if key in seen:
            out.append((call, "the same chat is asked again"))
        else:
            seen[key] = call
    return out


def _agent_instructions(facts: Facts, types: ValueFlow) -> list[tuple[CallSite, str]]:
    """``instructions "..."`` in the body of a RubyLLM::Agent subclass (1.12+)."""
    out = []
    for call in facts.index.calls_named(types.roles.agent_instructions_macro):
        if call.receiver is None and call.enclosing_method is None and \
                types.subclasses.get(call.enclosing_class or "") == types.roles.agent:
            out.append((call, "agent"))
    return out
