"""Test doubles that stand in for RubyLLM objects, found by where they flow, never by name.

A value in a test stands in for a RubyLLM class when the test hands it to the code
under test in a place where production code gets a real one:

- a stub of a gem entry point returns it: ``RubyLLM.stubs(:chat).returns(fake)``,
  ``RubyLLM.stub(:chat, fake) do``, ``allow(RubyLLM).to receive(:chat).and_return(fake)``,
  ``RubyLLM::Chat.stubs(:new).returns(fake)`` (it stands for what the stubbed method
  returns: a Chat);
- a stub of a gem instance method returns it: ``RubyLLM::Chat.any_instance.stubs(:ask)
  .returns(reply)`` (``ask`` returns a Message, so ``reply`` stands for a Message);
- the test passes it to app code whose parameter holds a RubyLLM value in production
  (``ChatService.new(chat: fake)`` where ``initialize(chat: RubyLLM.chat)``), or sets an
  instance variable that holds one (``instance_variable_set(:@chat, fake)``);
- a stand-in's own answer returns it: what ``fake.ask`` returns (a stubbed return
  value, a fake class's ``ask`` method) stands for a Message.

Each stand-in answers some methods: the methods of a fake class defined in the tests,
the keys of ``OpenStruct.new(...)``/``double(...)``, the names stubbed on a mock
(``stubs``/``expects``/``expect``/``receive``). A Telegram bot's ``chat = OpenStruct.new(
id: 1)`` that never reaches a RubyLLM position stands for nothing.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.values import Scope, ValueFlow, scope_of_call
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import Assignment, CallSite, Param

if TYPE_CHECKING:
    from rubygrade.analysis import Facts

_MOCKS = {"mock", "stub", "double", "spy", "instance_double", "stub_everything", "object_double"}
_MOCK_CLASSES = {"OpenStruct", "Minitest::Mock", "Object", "Struct"}
_RETURNS = ("returns", "and_return")
_STUB_BY_NAME = ("stubs", "expects", "stub", "expect", "receive", "define_singleton_method",
                 "allow_any_instance_of", "receive_messages")


@dataclass(frozen=True)
class StandIn:
    """A test value standing in for an instance of ``stands_for``."""

    node: Node
    path: str
    line: int
    stands_for: str
    how: str


@dataclass(frozen=True)
class Answer:
    """One method a stand-in answers."""

    stands_for: str
    method: str
    path: str
    line: int
    how: str  # "fake" (a method of a fake class) or "stub" (a stubbed name)
    params: tuple[Param, ...] | None = None
    returned: Node | None = None  # what it returns, when the test says so


class Doubles:
    """Every stand-in for a RubyLLM object in the tests, and what each answers."""

    def __init__(self, facts: Facts, values: ValueFlow) -> None:
        self.project = facts.project
        self.index = facts.index
        self.values = values
        self.catalogue = values.catalogue
        self._tests = {s.path for s in self.project.app_files("ruby")
                       if self.project.is_test(s.path)}
        self.stand_ins: list[StandIn] = []
        self.answers: list[Answer] = []
        self._seen: set[tuple[int, str]] = set()
        self._stub_calls: dict[str, list[CallSite]] | None = None
        self._writes: dict[str, list[Assignment]] | None = None
        if self.catalogue is not None and self._tests:
            self._find()

    # -- lookup tables (each replaces a scan of every call or write of the app, once per
    # stand-in; every list keeps the index's order) -------------------------------------
    @cached_property
    def _test_calls(self) -> list[CallSite]:
        # The index's order is by path: the test files' calls, file by file, are in it.
        return [call for path in sorted(self._tests) for call in self.index.calls_in(path)]

    def _stub_calls_in(self, path: str) -> list[CallSite]:
        """Calls of ``path`` that may stub a name on a holder (``_STUB_BY_NAME``)."""
        if self._stub_calls is None:
            self._stub_calls = {}
            for call in self._test_calls:
                if call.method in _STUB_BY_NAME:
                    self._stub_calls.setdefault(call.path, []).append(call)
        if path not in self._tests:  # not a test file: none of the above, so look at all
            return [c for c in self.index.calls_in(path) if c.method in _STUB_BY_NAME]
        return self._stub_calls.get(path, [])

    def _writes_in(self, path: str) -> list[Assignment]:
        """Writes of ``path`` that assign a value."""
        if self._writes is None:
            self._writes = {}
            for a in self.index.assignments:
                if a.value is not None:
                    self._writes.setdefault(a.path, []).append(a)
        return self._writes.get(path, [])

    # -- seeds ------------------------------------------------------------------------
    def _find(self) -> None:
        for call in self._test_calls:
            if call.method in _RETURNS or (call.method == "stub" and len(call.positional) > 1):
                self._stubbed_return(call)
            elif call.receiver is not None:  # a constant receiver (``X.new(fake)``) included
                self._passed_in(call)
        self.stand_ins.sort(key=lambda s: (s.path, s.line, s.stands_for))
        self.answers.sort(key=lambda a: (a.path, a.line, a.method))

    def _stubbed_return(self, call: CallSite) -> None:
        """``X.stubs(:m).returns(v)``, ``X.stub(:m, v)``, ``allow(X).to receive(:m).and_return(v)``."""
        if call.method == "stub":
            target, name, value = call.receiver, _symbol(call.positional[0].node), \
                call.positional[1].node
            singleton = True
        else:
            if not call.positional:
                return
            value = call.positional[0].node
            stub = _stub_call(call.receiver)
            if stub is None:
                return
            target, name, singleton = stub
        if not name or target is None:
            return
        owner = self._gem_target(target, call)
        if owner is None:
            return
        gem_class, is_singleton = owner
        singleton = singleton and is_singleton
        returned = self._returns(gem_class, name, singleton)
        if returned is not None:
            self._add(value, call, returned,
                      f"returned by a stub of {gem_class}{'.' if singleton else '#'}{name}")

    def _gem_target(self, node: Node, call: CallSite) -> tuple[str, bool] | None:
        """The gem class a stub is set on: (class, stubbing its class methods?)."""
        if node.type == "call" and treeutil.text(node.child_by_field_name("method")) in (
                "any_instance", "allow_any_instance_of"):
            receiver = node.child_by_field_name("receiver")
            args = node.child_by_field_name("arguments")
            if receiver is None and args is not None and args.named_children:
                receiver = args.named_children[0]
            const = treeutil.constant_name(receiver)
            return (const.removeprefix("::"), False) if const and _is_gem(const) else None
        const = treeutil.constant_name(node)
        if const is not None:
            return (const.removeprefix("::"), True) if _is_gem(const) else None
        stand_for = self._stand_in_of(node, call)
        return (stand_for, False) if stand_for else None

    def _returns(self, owner: str, name: str, singleton: bool) -> str | None:
        assert self.catalogue is not None
        if singleton and name == "new":
            return owner if self.catalogue.get_class(owner) is not None else None
        sig = self.catalogue.find_method(owner, name, singleton=singleton)
        if sig is None or sig.returns is None:
            return None
        if sig.returns == "self":
            return owner if not singleton else None
        return sig.returns if self.catalogue.get_class(sig.returns) is not None else None

    def _passed_in(self, call: CallSite) -> None:
        """A test value passed to app code where a RubyLLM value goes in production."""
        if call.method == "instance_variable_set" and len(call.positional) == 2:
            ivar = treeutil.string_value(call.positional[0].node)
            target = self.values.type_at(call.receiver, call) if call.receiver is not None \
                else None
            if ivar and target is not None and target.kind == "app" and target.app_class:
                held = self.values.ivar_type(target.app_class, ivar)
                if held is not None and held.is_rubyllm and held.kind == "instance":
                    self._add(call.positional[1].node, call, held.owner,
                              f"set as {target.app_class}'s {ivar}")
            return
        if call.method != "new" and not self.index.methods_named(call.method):
            return  # no app method has the name: the call reaches none (``new``: initialize)
        for key in self.values.structural_targets(call):
            method = self.index.call_graph.methods.get(key)
            if method is None or self.project.is_test(method.path):
                continue
            for arg, param in _bound(call, method.params):
                held = self.values.param_type(method, param)
                if held is not None and held.is_rubyllm and held.kind == "instance":
                    self._add(arg, call, held.owner, f"passed as {method.key}'s {param}")

    # -- a stand-in and its answers --------------------------------------------------------
    def _add(self, node: Node, call: CallSite, stands_for: str, how: str) -> None:
        self._add_at(node, scope_of_call(call), stands_for, how)

    def _add_at(self, node: Node, scope: Scope, stands_for: str, how: str) -> None:
        value = self._definition(node, scope)
        key = (value.id, stands_for)
        if key in self._seen:
            return
        self._seen.add(key)
        self.stand_ins.append(StandIn(value, scope.path, treeutil.line_of(value), stands_for,
                                      how))
        self._answers_of(value, scope, stands_for)

    def _definition(self, node: Node, scope: Scope) -> Node:
        """A variable's value: its latest assignment before the use, in the same test."""
        if node.type != "identifier":
            return node
        name = treeutil.text(node)
        best = None
        for a in self.index.local_assignments(scope.method, scope.path, name):
            if a.value is not None and a.node.end_byte <= node.start_byte and (
                    best is None or a.node.start_byte > best.node.start_byte):
                best = a
        return best.value if best is not None and best.value is not None else node

    def _answers_of(self, value: Node, scope: Scope, stands_for: str) -> None:
        names = self._names_holding(value, scope)
        if value.type == "call":
            method = treeutil.text(value.child_by_field_name("method"))
            receiver = value.child_by_field_name("receiver")
            const = treeutil.constant_name(receiver)
            if method == "new" and const and const not in _MOCK_CLASSES and \
                    not _is_gem(const):
                self._fake_class(self.index.resolve_constant(const, scope.cls), stands_for)
            elif method in _MOCKS or (method == "new" and const in _MOCK_CLASSES):
                self._keyword_answers(value, scope, stands_for)
        for call in self._stub_calls_in(scope.path):
            if not self._stubs_holder(call, names, scope):
                continue
            self._stub_answers(call, scope, stands_for)

    def _names_holding(self, value: Node, scope: Scope) -> set[str]:
        """Local variables of the test that hold ``value``."""
        out: set[str] = set()
        for a in self._writes_in(scope.path):
            if a.enclosing_method is scope.method and a.value is not None and \
                    a.value.id == value.id:
                out.add(a.name)
        return out

    def _stubs_holder(self, call: CallSite, names: set[str], scope: Scope) -> bool:
        if call.enclosing_method is not scope.method:
            return False
        if call.method == "receive":
            holder = _rspec_subject(call)
            return holder is not None and holder.type == "identifier" and \
                treeutil.text(holder) in names
        return call.receiver is not None and call.receiver.type == "identifier" and \
            treeutil.text(call.receiver) in names

    def _stub_answers(self, call: CallSite, scope: Scope, stands_for: str) -> None:
        symbols = _symbols(call)
        for i, name in enumerate(symbols):
            returned = None
            if call.method == "expect" and len(call.positional) > 1 and i == 0:
                returned = call.positional[1].node
            elif call.method == "stub" and len(call.positional) > 1 and i == 0:
                returned = call.positional[1].node
            else:
                returned = _chained_return(call)
            self._answer(stands_for, name, call.path, call.line, "stub", None, returned, scope)

    def _keyword_answers(self, value: Node, scope: Scope, stands_for: str) -> None:
        args = value.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else ():
            if arg.type != "pair":
                continue
            key = treeutil.text(arg.child_by_field_name("key")).rstrip(":").lstrip(":")
            self._answer(stands_for, key, scope.path, treeutil.line_of(arg), "stub", None,
                         arg.child_by_field_name("value"), scope)

    def _fake_class(self, cls: str, stands_for: str) -> None:
        for method in self.index.methods_of(cls):
            if method.singleton or method.kind not in ("def", "attr") or \
                    method.path not in self._tests:
                continue
            returned = None
            body = method.body
            if method.kind == "def" and body is not None:
                last = [c for c in body.named_children if c.type != "comment"]
                returned = last[-1] if last and body.type in ("body_statement",) else body
            self._answer(stands_for, method.name.rstrip("="), method.path, method.line, "fake",
                         method.params if method.kind == "def" else None, returned,
                         Scope(method.path, method, method.owner))

    def _answer(self, stands_for: str, name: str, path: str, line: int, how: str,
                params: tuple[Param, ...] | None, returned: Node | None, scope: Scope) -> None:
        self.answers.append(Answer(stands_for, name, path, line, how, params, returned))
        if returned is None or self.catalogue is None:
            return
        produced = self._returns(stands_for, name, singleton=False)
        if produced is None or produced == stands_for:
            return
        self._add_at(returned, scope, produced, f"returned by {stands_for}#{name}'s stand-in")

    def _stand_in_of(self, node: Node, call: CallSite) -> str | None:
        value = self._definition(node, scope_of_call(call))
        return next((s.stands_for for s in self.stand_ins if s.node.id == value.id), None)


# -- syntax helpers -----------------------------------------------------------------------
def _is_gem(const: str) -> bool:
    const = const.removeprefix("::")
    return const == "RubyLLM" or const.startswith("RubyLLM::")


def _symbol(node: Node) -> str | None:
    return treeutil.string_value(node) if node.type in ("simple_symbol", "string") else None


def _stub_call(node: Node | None) -> tuple[Node | None, str | None, bool] | None:
    """For ``X.stubs(:m)`` / ``X.expects(:m)``: (X, m, singleton); for an RSpec
    ``receive(:m)`` inside ``allow(X).to``: (X, m, True)."""
    while node is not None and node.type == "call":
        method = treeutil.text(node.child_by_field_name("method"))
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if method in ("stubs", "expects") and first is not None:
            return node.child_by_field_name("receiver"), _symbol(first), True
        if method == "receive" and first is not None:
            return _rspec_subject_node(node), _symbol(first), True
        node = node.child_by_field_name("receiver")
    return None


def _rspec_subject_node(receive: Node) -> Node | None:
    """``allow(X).to receive(:m)``: X."""
    for parent in treeutil.ancestors(receive):
        if parent.type != "call":
            continue
        if treeutil.text(parent.child_by_field_name("method")) in ("to", "not_to", "to_not"):
            receiver = parent.child_by_field_name("receiver")
            if receiver is None or receiver.type != "call":
                return None
            args = receiver.child_by_field_name("arguments")
            return args.named_children[0] if args is not None and args.named_children else None
    return None


def _rspec_subject(call: CallSite) -> Node | None:
    return _rspec_subject_node(call.node)


def _symbols(call: CallSite) -> list[str]:
    """Method names a stub call names: ``stubs(:ask)``, ``stubs(ask: x)``, ``receive(:ask)``."""
    out = []
    first_only = call.method in ("stub", "expect", "define_singleton_method")
    for arg in call.args[:1] if first_only else call.args:
        if arg.kind == "keyword" and arg.name:
            out.append(arg.name)
        elif arg.kind == "positional" and arg.node.type in ("simple_symbol", "string"):
            value = treeutil.string_value(arg.node)
            if value:
                out.append(value)
    return out


def _chained_return(call: CallSite) -> Node | None:
    """``.returns(v)``/``.and_return(v)`` chained after a stub call."""
    parent = treeutil.parent_of(call.node)
    while parent is not None and parent.type in ("call", "argument_list"):
        if parent.type == "call" and treeutil.text(parent.child_by_field_name("method")) in \
                _RETURNS:
            args = parent.child_by_field_name("arguments")
            return args.named_children[0] if args is not None and args.named_children else None
        parent = treeutil.parent_of(parent)
    return None


def _bound(call: CallSite, params: tuple[Param, ...]) -> list[tuple[Node, str]]:
    """(argument node, parameter name) pairs a call binds by position or keyword."""
    out: list[tuple[Node, str]] = []
    positional = [p for p in params if p.kind in ("req", "opt")]
    args = [a for a in call.args if a.kind == "positional"]
    if not any(a.kind == "splat" for a in call.args):
        out += [(a.node, p.name) for a, p in zip(args, positional, strict=False)]
    keywords = {p.name for p in params if p.kind in ("key", "keyreq")}
    out += [(a.value, a.name) for a in call.args
            if a.kind == "keyword" and a.name in keywords and a.name is not None]
    return out

