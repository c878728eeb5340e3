"""A call graph over app and test code, resolved by name with class context.

Nodes are method keys (``ChatsController#create``, ``ChatSession.call``);
each edge keeps the call sites that made it, so a check can ask whether the
call on that edge sits inside a ``rescue``.

Resolution, and its limits (precision over recall):

- a call with no receiver or ``self`` resolves through the caller's class,
  its app superclasses and included app modules (and their includes); failing
  that, to a subclass's or includer's method, in a view to a helper or a
  controller's ``helper_method``, else to a module no app class mixes in
  (test code: any app method of the name, its helpers being framework-mixed);
- ``Const.name`` resolves to the singleton method, ``Const.new`` to
  ``Const#initialize``, ``Const.new(...).name`` to ``Const#name``;
- a local or instance variable assigned from ``Const.new(...)`` in the same
  method (locals) or class (ivars) has that class;
- any other receiver resolves by name only when at most three app methods
  carry that name, never to a private one; otherwise no edge is drawn.
  Metaprogramming (``send``, ``define_method``, ``method_missing``) is not
  followed.
"""

from __future__ import annotations

import bisect
import itertools
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.index.model import Assignment, CallSite, MethodDef
from rubygrade.index.ruby import CALLBACK_MACRO, HELPER_MACROS

if TYPE_CHECKING:
    import networkx as nx

    from rubygrade.index import Index

_NAME_ONLY_LIMIT = 3
_TOO_COMMON = {"new", "call", "each", "map", "to_s", "save", "update", "find", "create",
               "render", "present?", "blank?", "include?", "first", "last", "count"}


class _Edges:
    """``graph.edges[caller, callee]`` -> ``{"sites": [...]}``, as networkx spells it."""

    def __init__(self, succ: dict[str, dict[str, dict[str, list[CallSite]]]]) -> None:
        self._succ = succ

    def __getitem__(self, edge: tuple[str, str]) -> dict[str, list[CallSite]]:
        return self._succ[edge[0]][edge[1]]

    def __contains__(self, edge: object) -> bool:
        return isinstance(edge, tuple) and len(edge) == 2 and edge[1] in self._succ.get(edge[0], {})

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((u, v) for u, targets in self._succ.items() for v in targets)

    def __len__(self) -> int:
        return sum(len(t) for t in self._succ.values())


class DiGraph:
    """The part of ``networkx.DiGraph`` the analyses use: nodes, successors, predecessors and
    edge data, in insertion order (so results match a networkx graph built the same way)."""

    def __init__(self) -> None:
        self._succ: dict[str, dict[str, dict[str, list[CallSite]]]] = {}
        self._pred: dict[str, dict[str, None]] = {}
        self.edges = _Edges(self._succ)

    def add_node(self, key: str) -> None:
        if key not in self._succ:
            self._succ[key] = {}
            self._pred[key] = {}

    def add_nodes(self, keys: Iterable[str]) -> None:
        for key in keys:
            if key not in self._succ:
                self._succ[key] = {}
                self._pred[key] = {}

    def add_site(self, caller: str, callee: str, site: CallSite) -> None:
        # A build adds thousands of sites, nearly all between nodes already there: the
        # lookups are made once each, and a node is added only when one is missing.
        targets = self._succ.get(caller)
        if targets is None:
            self.add_node(caller)
            targets = self._succ[caller]
        data = targets.get(callee)
        if data is None:
            if callee not in self._succ:
                self.add_node(callee)
            targets[callee] = {"sites": [site]}
            self._pred[callee][caller] = None
        else:
            data["sites"].append(site)

    def __contains__(self, key: object) -> bool:
        return key in self._succ

    def __iter__(self) -> Iterator[str]:
        return iter(self._succ)

    def __len__(self) -> int:
        return len(self._succ)

    @property
    def nodes(self) -> list[str]:
        return list(self._succ)

    def has_edge(self, caller: str, callee: str) -> bool:
        return callee in self._succ.get(caller, {})

    def successors(self, key: str) -> Iterator[str]:
        return iter(self._succ[key])

    @property
    def adjacency(self) -> Mapping[str, Mapping[str, object]]:
        """Each node -> its successors (the keys, in insertion order), read-only: for a
        search over the whole graph, one lookup per node instead of a call."""
        return self._succ

    def predecessors(self, key: str) -> Iterator[str]:
        return iter(self._pred[key])

    def number_of_nodes(self) -> int:
        return len(self._succ)

    def number_of_edges(self) -> int:
        return len(self.edges)


def _closure(start: str, step: dict[str, Any]) -> set[str]:
    """Every node reached from ``start`` along ``step`` (``start`` itself excluded)."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt in step[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    seen.discard(start)
    return seen


class ReceiverRole(Protocol):
    """What the value flow knows of a receiver (see ``analysis.values.RType``)."""

    @property
    def kind(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def app_class(self) -> str | None: ...
    @property
    def library(self) -> bool: ...


#: One call of a graph build: (call, its owner's key, its targets in a graph without receiver
#: roles, whether the receiver's role decides them instead). A call of a name no app method
#: has is none: it reaches nothing whatever its receiver's role (``CallGraph._by_role`` only
#: ever looks the name up among the app's methods).
_Step = tuple[CallSite, str, list[str], bool]
#: The pseudo-methods (path, kind, owner) a build creates, and its steps.
_Plan = tuple[list[tuple[str, str, str]], list[_Step]]


class _Resolution:
    """What resolving calls learns from the index alone, worked out once per index.

    An index gets two call graphs: the structural one (``Index.call_graph``), which the
    value flow resolves call sites with, and the value-aware one the rules use
    (``Analyses.call_graph``). They differ only at calls on a receiver the code's
    structure does not type, where the value flow's roles decide. Everything else (class
    chains, constant and name lookups, the owner and targets of every other call) is the
    same for both, so it is computed here once and both graphs read it. It holds its
    index weakly, like the graphs, and lives as long as the index does (``_RESOLUTIONS``).
    """

    def __init__(self, index: Index) -> None:
        self._index = weakref.ref(index)
        # The first definition of each key, as the graphs keep it (``CallGraph.methods``).
        self.methods: dict[str, MethodDef] = {}
        for method in index.methods:
            self.methods.setdefault(method.key, method)
        self._names = {method.name for method in index.methods}
        # Names a call may reach an app method by: the app's method names, and ``new``
        # (an ``initialize``).
        self._names_reaching = self._names | {"new"}
        # Memo tables: each replaces a lookup the graph build repeated per call site.
        self._chains: dict[str, list[str]] = {}
        self._lookups: dict[tuple[str, str, bool], list[str]] = {}  # (cls, name, singleton)
        self._constants: dict[tuple[str, str | None], str] = {}
        self._named: dict[tuple[str, bool, bool], list[str]] = {}
        self._public_named: dict[str, list[str]] = {}
        self._fallbacks: dict[tuple[bool, bool, str, str, bool, bool], list[str]] = {}
        self._local_types: dict[tuple[int, str, str | None], list[tuple[int, str]]] = {}
        self._owners: dict[str, str | None] = {}  # path -> pseudo-method kind of its calls
        self._path_flags: dict[str, tuple[bool, bool]] = {}  # path -> (a test?, a view?)
        # call -> (targets by structure, targets by name or None when the value flow's
        # receiver roles decide): see ``resolution``.
        self.resolved: dict[CallSite, tuple[list[str], list[str] | None]] = {}
        self._ivar_types = self._collect_ivar_types(index)
        self._ivar_classes = {cls for cls, _ in self._ivar_types}
        # Local writes of a ``.new`` call grouped by method (index order kept), so typing a
        # local receiver does not rescan every assignment of the app for every call, and a
        # method that constructs nothing into a local (most) is ruled out by one lookup.
        self._constructions_by_method: dict[int, list[Assignment]] = {}
        for assignment in index.assignments:
            if assignment.target == "local" and assignment.enclosing_method is not None and \
                    _calls_new(assignment.value):
                self._constructions_by_method.setdefault(
                    id(assignment.enclosing_method), []).append(assignment)

    @property
    def index(self) -> Index:
        index = self._index()
        if index is None:
            raise ReferenceError("the index of this call graph no longer exists")
        return index

    # -- the build, call by call ---------------------------------------------------------
    @cached_property
    def plan(self) -> _Plan:
        """What a graph build does, worked out once: the pseudo-methods to create, in the
        order their first call appears, then each call that draws an edge or asks the
        receiver roles, with its owner's key (calls that resolve to nothing are left out:
        they add nothing to any graph)."""
        pseudo: list[tuple[str, str, str]] = []
        steps: list[_Step] = []
        keys: dict[int, str] = {}  # id(method) -> method.key, computed once per method
        # path -> the pseudo-method of a view or a rake file: every call of the file outside
        # a method belongs to it (a class body's calls each ask ``pseudo_owner``).
        file_keys: dict[str, str] = {}
        seen: set[str] = set()
        resolved, resolve = self.resolved, self._resolve  # ``resolution``, inlined
        names = self._names_reaching
        for call in self.index.calls:
            method = call.enclosing_method
            if method is None:
                # Every call outside a method makes its pseudo-method, reaching something or not.
                if call.path in file_keys:
                    caller_key = file_keys[call.path]
                else:
                    owner = self.pseudo_owner(call)
                    if owner is None:
                        continue
                    name = _pseudo_name(call.path, *owner)
                    if name not in seen:
                        seen.add(name)
                        pseudo.append((call.path, *owner))
                    caller_key = "#" + name  # the pseudo-method's key: owner "", instance method
                    if owner[0] != "callbacks":
                        file_keys[call.path] = caller_key
            if call.method not in names:
                continue  # a name no app method has reaches nothing (see ``_Step``)
            if method is not None:
                if id(method) in keys:
                    caller_key = keys[id(method)]
                else:
                    caller_key = keys[id(method)] = method.key
            found = resolved.get(call)
            if found is None:
                found = resolved[call] = resolve(call)
            by_name = found[1]
            if by_name is None:  # what a graph without receiver roles draws, worked out now
                steps.append((call, caller_key, self.public_by_name(call.method), True))
            elif by_name:
                steps.append((call, caller_key, by_name, False))
        return pseudo, steps

    def pseudo_owner(self, call: CallSite) -> tuple[str, str] | None:
        """(kind, owner) of the pseudo-method holding a call outside any method that still
        runs at request time: a view's Ruby, a rake task's body, a callback block in a class
        body (``after_create_commit -> { ... }``)."""
        path = call.path
        if path in self._owners:
            kind = self._owners[path]
        else:
            kind = self._owners[path] = self._path_kind(path)
        if kind is None:
            return None
        if kind != "callbacks":
            return kind, ""
        if call.enclosing_class and self._within_callback_macro(call) and \
                _in_callback_block(call.node):
            return "callbacks", call.enclosing_class
        return None

    def _within_callback_macro(self, call: CallSite) -> bool:
        """Some callback macro call (``after_commit``, ``before_action``) of the file spans
        ``call``: the one place a callback block can hold it. A necessary condition for
        ``_in_callback_block``, read off byte ranges: that climbs the tree with
        ``Node.parent``, which searches down from the root (the cost of most class-body
        calls, which sit in no macro at all)."""
        spans = self._callback_spans.get(call.path)
        if spans is None:
            return False
        starts, reach = spans
        node = call.node
        # The macros starting at or before the call; the furthest any of them ends.
        before = bisect.bisect_right(starts, node.start_byte)
        return before > 0 and reach[before - 1] >= node.end_byte

    @cached_property
    def _callback_spans(self) -> dict[str, tuple[list[int], list[int]]]:
        """path -> (the start bytes of its callback macro calls, ascending; the furthest end
        byte among the macros up to each). The macro of a block ``_in_callback_block``
        accepts sits in the same class body with no method around it, as the call does:
        the index records every such macro call (``Index.macros``)."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for call in self.index.macros:
            if call.method not in HELPER_MACROS:
                node = call.node
                spans.setdefault(call.path, []).append((node.start_byte, node.end_byte))
        out: dict[str, tuple[list[int], list[int]]] = {}
        for path, found in spans.items():
            found.sort()
            reach = list(itertools.accumulate((end for _, end in found), max))
            out[path] = ([start for start, _ in found], reach)
        return out

    def _path_kind(self, path: str) -> str | None:
        source = self.index.project.files.get(path)
        if source is None:
            return None
        if source.kind == "erb":
            return "template"
        if path.endswith(".rake"):
            return "task"
        return "callbacks"

    def resolution(self, call: CallSite) -> tuple[list[str], list[str] | None]:
        """(what ``call`` reaches by the code's structure, what it reaches by name too),
        the second None when the receiver's role decides (``CallGraph._by_role``)."""
        found = self.resolved.get(call)
        if found is None:
            found = self.resolved[call] = self._resolve(call)
        return found

    def _resolve(self, call: CallSite) -> tuple[list[str], list[str] | None]:
        receiver = call.receiver
        name = call.method
        # A name no app method has (``render``, ``where``) reaches nothing by class chain or
        # by name; only ``new`` (an ``initialize``) and a receiver's role need a closer look.
        unknown = name not in self._names and name != "new"
        if receiver is None:
            return ([], []) if unknown else self._self_call(call, True)
        kind = receiver.type  # read once: each read of a node's type builds a new string
        if kind == "self":
            return ([], []) if unknown else self._self_call(call, False)
        if kind == "constant" or kind == "scope_resolution":
            if unknown and kind == "constant":
                return [], []
            const = treeutil.text(receiver) if kind == "constant" else \
                treeutil.constant_name(receiver)
            if const is None:
                return [], None
            cls = self.resolve_constant(const, call.enclosing_class or "")
            found = self.lookup(cls, "initialize", False) if name == "new" else \
                self.lookup(cls, name, True)
            return found, found
        built = self._receiver_class(call, receiver, kind)
        if built is not None:
            found = self.lookup(built, name, False)
            return found, found
        return [], None

    def _self_call(self, call: CallSite, implicit: bool) -> tuple[list[str], list[str] | None]:
        """A call with no receiver (``implicit``) or on ``self``: the class chain answers;
        failing that, a call with no receiver falls back by name."""
        context = call.enclosing_class or ""
        name = call.method
        method = call.enclosing_method
        singleton = method is not None and method.singleton
        if context:
            if name == "new" and singleton:
                found = self.lookup(context, "initialize", False)  # ``new(...)`` in ``self.call``
                return found, found
            found = self._lookups.get((context, name, singleton)) or \
                self.lookup(context, name, singleton)
            if found or not implicit:
                return found, found
        elif not implicit:
            return [], []
        else:
            found = []
        return found, self._unresolved_self_call(call, name, singleton)

    # -- lookups ---------------------------------------------------------------------------
    def resolve_constant(self, written: str, context: str | None) -> str:
        key = (written, context)
        found = self._constants.get(key)
        if found is None:
            found = self._constants[key] = self.index.resolve_constant(written, context)
        return found

    def chain(self, cls: str) -> list[str]:
        """The owners a method lookup on ``cls`` tries, in order (computed once per class)."""
        chain = self._chains.get(cls)
        if chain is None:
            index = self.index
            chain = []
            for owner in index.ancestors(cls):
                chain.append(self.resolve_constant(owner, owner))
                pending = [self.resolve_constant(inc, owner) for inc in index.includes_of(owner)]
                while pending:  # a concern's own includes are looked up too
                    module = pending.pop(0)
                    if module in chain:
                        continue
                    chain.append(module)
                    pending += [self.resolve_constant(inc, module)
                                for inc in index.includes_of(module)]
            self._chains[cls] = chain
        return chain

    def lookup(self, cls: str, name: str, singleton: bool) -> list[str]:
        """The key of method ``name`` as ``cls`` (its superclasses, its modules) defines it
        (memoised per class and name: the same lookup recurs at every call of the name)."""
        key = (cls, name, singleton)
        found = self._lookups.get(key)
        if found is None:
            sep = "." if singleton else "#"
            methods = self.methods
            found = []
            for resolved in self.chain(cls):
                target = f"{resolved}{sep}{name}"
                if target in methods:
                    found = [target]
                    break
            self._lookups[key] = found
        return found

    def _collect_ivar_types(self, index: Index) -> dict[tuple[str, str], str]:
        types: dict[tuple[str, str], str] = {}
        for assignment in index.assignments:
            if assignment.target != "ivar" or assignment.enclosing_class is None:
                continue
            cls = self._constructed_class(assignment.value, assignment.enclosing_class)
            if cls:
                types[(assignment.enclosing_class, assignment.name)] = cls
        return types

    def _constructed_class(self, node: Node | None, context: str | None) -> str | None:
        """``Const.new(...)`` (or ``Const.call``/``Const.build``-free forms) -> the class name."""
        if not _calls_new(node):
            return None
        assert node is not None
        receiver = node.child_by_field_name("receiver")
        if receiver is None or receiver.type == "self":
            return context or None  # ``new(...)`` inside a class method builds that class
        const = treeutil.constant_name(receiver)
        return self.resolve_constant(const, context) if const else None

    def _receiver_class(self, call: CallSite, receiver: Node, kind: str) -> str | None:
        """The app class a receiver of node type ``kind`` was built as (``Foo.new.bar``, a
        local or an instance variable assigned ``Foo.new``); the name is decoded only when
        the method or class has such writes at all."""
        if kind == "call":
            return self._constructed_class(receiver, call.enclosing_class)
        if kind == "identifier":
            method = call.enclosing_method
            if method is None or id(method) not in self._constructions_by_method:
                return None
            name = treeutil.text(receiver)
            for line, found in self._constructed_locals(method, name, call.enclosing_class):
                if line <= call.line:
                    return found
            return None
        if kind == "instance_variable" and call.enclosing_class and \
                call.enclosing_class in self._ivar_classes:
            return self._ivar_types.get((call.enclosing_class, treeutil.text(receiver)))
        return None

    def _constructed_locals(self, method: MethodDef, name: str,
                            context: str | None) -> list[tuple[int, str]]:
        """(line, class) of each write of local ``name`` in ``method`` that constructs an
        app object, in index order (built once per method, name and class context)."""
        key = (id(method), name, context)
        found = self._local_types.get(key)
        if found is None:
            found = self._local_types[key] = [
                (assignment.line, cls)
                for assignment in self._constructions_by_method.get(id(method), ())
                if assignment.name == name and
                (cls := self._constructed_class(assignment.value, context))]
        return found

    def _unresolved_self_call(self, call: CallSite, name: str, singleton: bool) -> list[str]:
        """A receiver-less call its class chain does not answer: a method of a subclass (a
        base class's template method), of a class that includes this module, or, in a
        template, of a helper or a controller's ``helper_method``; else of a module no
        app class mixes in (one included where the index cannot see).

        The answer depends on the call's file only through the two tests below, so it is
        memoised on them with the class, name and kind of the call."""
        flags = self._path_flags.get(call.path)
        if flags is None:
            flags = self._path_flags[call.path] = (
                self.index.project.is_test(call.path),
                call.path.endswith((".erb", ".haml", ".slim")))
        test, view = flags
        context = call.enclosing_class or ""
        key = (test, test and call.bare, context, name, singleton, view)
        found = self._fallbacks.get(key)
        if found is None:
            found = self._fallbacks[key] = self._unresolved_uncached(
                test, call.bare, context, name, singleton, view)
        return found

    def _unresolved_uncached(self, test: bool, bare: bool, context: str, name: str,
                             singleton: bool, view: bool) -> list[str]:
        if test:
            # a test's helpers come from modules the framework mixes in (Rails's test
            # case classes, RSpec's config.include): any app method of the name may answer
            return self.by_name(name, modules_only=bare)
        if context:
            below = sorted({key for cls in self._below.get(context, ())
                            for key in self.lookup(cls, name, singleton)})
            if below:
                return below
        elif view:
            helpers = sorted(m.key for m in self.index.methods_named(name)
                             if m.kind in ("def", "attr") and not m.singleton and
                             (m.owner.endswith("Helper") or
                              (m.owner.endswith("Controller") and name in self._helper_methods)))
            if helpers:
                return helpers
        return self.by_name(name, modules_only=True, unmixed=True)

    @cached_property
    def _below(self) -> dict[str, set[str]]:
        """Each app class or module -> the classes whose method lookup passes through it
        (its subclasses, the classes including it, and theirs)."""
        out: dict[str, set[str]] = {}
        for cls in sorted({c.name for c in self.index.classes}):
            for owner in self.chain(cls):
                if owner != cls:
                    out.setdefault(owner, set()).add(cls)
        return out

    @cached_property
    def _helper_methods(self) -> set[str]:
        """Names a controller exposes to its views with ``helper_method``."""
        return {value for call in self.index.calls_named("helper_method") for arg in call.args
                if (value := treeutil.string_value(arg.node))}

    @cached_property
    def _mixed_in(self) -> set[str]:
        """Modules some app class includes or extends: their methods answer a receiver-less
        call only inside those classes (the class chain finds them), never by name
        elsewhere (a view's ``chat`` local is not a model concern's ``chat``)."""
        return {self.resolve_constant(inc, cls.name)
                for cls in self.index.classes for inc in (*cls.includes, *cls.extends)}

    def by_name(self, name: str, modules_only: bool = False, unmixed: bool = False) -> list[str]:
        """Methods called ``name`` anywhere in the app, when at most a few are: only
        modules' (``modules_only``), and only of modules no app class mixes in
        (``unmixed``: a helper, a module included where the index cannot see)."""
        key = (name, modules_only, unmixed)
        found = self._named.get(key)
        if found is not None:
            return found
        index = self.index
        defs = [m for m in index.methods_named(name) if m.kind in ("def", "attr")]
        if modules_only:
            defs = [m for m in defs if any(c.kind == "module" for c in
                                           index.class_defs(m.owner))]
        if unmixed:
            defs = [m for m in defs if m.owner not in self._mixed_in]
        found = [] if not defs or len(defs) > _NAME_ONLY_LIMIT else sorted({m.key for m in defs})
        self._named[key] = found
        return found

    def public_by_name(self, name: str) -> list[str]:
        """What a call of ``name`` on a receiver nothing types may reach: a few public app
        methods of the name (an explicit receiver never reaches a private method:
        ``message.chat`` is not a concern's private ``chat`` helper)."""
        found = self._public_named.get(name)
        if found is None:
            methods = self.methods
            found = self._public_named[name] = [] if name in _TOO_COMMON else [
                key for key in self.by_name(name)
                if key not in methods or methods[key].visibility != "private"]
        return found


#: Each index's resolution facts, for as long as the index lives.
_RESOLUTIONS: weakref.WeakKeyDictionary[Index, _Resolution] = weakref.WeakKeyDictionary()


def _resolution_of(index: Index) -> _Resolution:
    found = _RESOLUTIONS.get(index)
    if found is None:
        found = _RESOLUTIONS[index] = _Resolution(index)
    return found


def _pseudo_name(path: str, kind: str, owner: str) -> str:
    return f"<{kind} {owner or path}>"


class CallGraph:
    """``receiver_role(call)`` is the value flow's answer for a call's receiver: a call on
    an app object resolves in its class; a call on a library's value (a RubyLLM chat, a
    database connection) never resolves to an app method that shares the name."""

    def __init__(self, index: Index,
                 receiver_role: Callable[[CallSite], ReceiverRole | None] | None = None) -> None:
        # The index caches its call graph (``Index.call_graph``): a strong reference back
        # would make a cycle that keeps every tree of the run alive until a full garbage
        # collection, which a run with the collector paused never gets (a batch grew by
        # the size of each repository).
        self._index = weakref.ref(index)
        self._receiver_role = receiver_role
        self._resolution = resolution = _resolution_of(index)
        self.graph = DiGraph()
        self.methods: dict[str, MethodDef] = dict(resolution.methods)
        self.graph.add_nodes(self.methods)
        self._resolved = resolution.resolved
        self._pseudo: dict[str, MethodDef] = {}
        pseudo, steps = resolution.plan
        for path, kind, owner in pseudo:  # after the methods, as their first calls add them
            self._pseudo_method(path, kind, owner)
        add_site = self.graph.add_site
        aware = receiver_role is not None
        for call, caller_key, targets, by_role in steps:
            if by_role and aware:
                targets = self._by_role(call)
            for target in targets:
                if target != caller_key:
                    add_site(caller_key, target, call)

    @property
    def index(self) -> Index:
        index = self._index()
        if index is None:
            raise ReferenceError("the index of this call graph no longer exists")
        return index

    def to_networkx(self) -> nx.DiGraph:
        """A ``networkx.DiGraph`` copy (same nodes, edges and ``sites`` data, same order)."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.graph)
        for caller, callee in self.graph.edges:
            graph.add_edge(caller, callee, sites=self.graph.edges[caller, callee]["sites"])
        return graph

    # -- top-level code that Rails runs on a request ------------------------------------
    def owner_of(self, call: CallSite) -> MethodDef | None:
        """The method (or pseudo-method: a template, a rake file, a class's callback blocks)
        whose code holds ``call``."""
        return call.enclosing_method or self._pseudo_owner(call)

    def _pseudo_owner(self, call: CallSite) -> MethodDef | None:
        """Calls outside any method that still run at request time: a view's Ruby, a rake
        task's body, a callback block in a class body (``after_create_commit -> { ... }``)."""
        pseudo = self._resolution.pseudo_owner(call)
        return self._pseudo_method(call.path, *pseudo) if pseudo is not None else None

    def _pseudo_method(self, path: str, kind: str, owner: str) -> MethodDef:
        key = _pseudo_name(path, kind, owner)
        method = self._pseudo.get(key)
        if method is None:
            root = self.index.project.files[path].root
            assert root is not None
            method = MethodDef(name=key, owner="", singleton=False,
                               params=(), visibility="public", path=path, line=1,
                               end_line=treeutil.end_line_of(root), node=root,
                               kind=kind)  # type: ignore[arg-type]
            self._pseudo[key] = method
            self.methods.setdefault(method.key, method)
            self.graph.add_node(method.key)
        return method

    # -- resolution -------------------------------------------------------------
    def structural_keys(self, cls: str, name: str, singleton: bool = False) -> list[str]:
        """The key of method ``name`` as ``cls`` (its superclasses, its modules) defines it."""
        return self._resolution.lookup(cls, name, singleton)

    def structural_targets(self, call: CallSite) -> list[str]:
        """The method keys this call certainly reaches by the code's structure (class
        context, constants, constructed receivers), never by name alone.

        Memoised per call site (the value flow asks for every call of a name, once per
        method of that name); the answer depends only on the index."""
        found = self._resolved.get(call)  # inlined: the value flow asks this very often
        return (found if found is not None else self._resolution.resolution(call))[0]

    def resolve(self, call: CallSite, by_name: bool = True) -> list[str]:
        """The method keys this call may reach (empty when unknown)."""
        structural, named = self._resolution.resolution(call)
        if not by_name:
            return structural
        return self._by_role(call) if named is None else named

    def _by_role(self, call: CallSite) -> list[str]:
        """A call on a receiver the structure does not type: the value flow's role for it
        decides, else the few public app methods of the name."""
        name = call.method
        role = self._receiver_role(call) if self._receiver_role is not None else None
        if role is not None:
            if role.library:
                return []  # ``chat.ask`` on a RubyLLM chat is the gem's, not ChatSession#ask
            if role.app_class:
                singleton = role.kind == "module" or role.owner == "class"
                if singleton and name == "new":
                    return self._resolution.lookup(role.app_class, "initialize", False)
                return self._resolution.lookup(role.app_class, name, singleton)
        return self._resolution.public_by_name(name)

    # -- queries --------------------------------------------------------------------
    def callees(self, key: str) -> list[str]:
        return sorted(self.graph.successors(key)) if key in self.graph else []

    def reachable_from(self, keys: list[str]) -> set[str]:
        """``keys`` in the graph and every method they reach."""
        succ = self.graph._succ
        seen: set[str] = set()
        stack = [k for k in keys if k in succ]
        seen.update(stack)
        while stack:
            for nxt in succ[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def ancestors(self, key: str) -> set[str]:
        """Every method with a call path to ``key`` (``key`` itself excluded)."""
        return _closure(key, self.graph._pred) if key in self.graph else set()

    def descendants(self, key: str) -> set[str]:
        """Every method ``key`` has a call path to (``key`` itself excluded)."""
        return _closure(key, self.graph._succ) if key in self.graph else set()

    def path_from_entry(
        self,
        key: str,
        is_entry: Callable[[str], bool],
        edge_ok: Callable[[list[CallSite]], bool] = lambda sites: True,
    ) -> list[str] | None:
        """Shortest path ``entry -> ... -> key`` over edges whose sites satisfy ``edge_ok``.

        Breadth-first backwards from ``key``; deterministic (callers visited sorted)."""
        if key not in self.graph:
            return None
        previous: dict[str, str | None] = {key: None}
        queue = deque([key])
        while queue:
            node = queue.popleft()
            if is_entry(node):
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])  # type: ignore[arg-type]
                return path
            for caller in sorted(self.graph.predecessors(node)):
                if caller in previous:
                    continue
                if not edge_ok(self.graph.edges[caller, node]["sites"]):
                    continue
                previous[caller] = node
                queue.append(caller)
        return None


def _calls_new(node: Node | None) -> bool:
    """``node`` is a call of ``new`` (``Foo.new(...)``, ``new(...)``, ``self.new``)."""
    if node is None or node.type != "call":
        return False
    method = node.child_by_field_name("method")
    return method is not None and method.text == b"new"  # the bytes: no decode per call


def _in_callback_block(node: Node) -> bool:
    """Inside a block or lambda passed to a callback macro in a class body."""
    seen_block = False
    for anc in treeutil.ancestors(node):
        if anc.type in ("block", "do_block", "lambda"):
            seen_block = True
        elif anc.type == "call" and seen_block:
            method = treeutil.text(anc.child_by_field_name("method"))
            if anc.child_by_field_name("receiver") is None and CALLBACK_MACRO.match(method):
                return True
        elif anc.type in ("method", "singleton_method", "class", "module"):
            return False
    return False
