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

import re
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.index.model import Assignment, CallSite, MethodDef

if TYPE_CHECKING:
    import networkx as nx

    from rubygrade.index import Index
    from rubygrade.sources import SourceFile

_NAME_ONLY_LIMIT = 3
#: Class-body macros whose block or lambda runs when Rails calls back (a record is saved,
#: an action runs, a job performs).
CALLBACK_MACRO = re.compile(r"^(?:before|after|around)_\w+$|^(?:after|before)_(?:create|update|"
                            r"save|destroy|commit)_commit$")
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

    def add_site(self, caller: str, callee: str, site: CallSite) -> None:
        self.add_node(caller)
        self.add_node(callee)
        data = self._succ[caller].get(callee)
        if data is None:
            self._succ[caller][callee] = {"sites": [site]}
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
        self.graph = DiGraph()
        self.methods: dict[str, MethodDef] = {}
        for method in index.methods:
            self.methods.setdefault(method.key, method)
            self.graph.add_node(method.key)
        self._chains: dict[str, list[str]] = {}
        self._named: dict[tuple[str, bool, bool], list[str]] = {}
        self._structural: dict[int, list[str]] = {}  # id(call) -> structural_targets(call)
        self._ivar_types = self._collect_ivar_types()
        # Local writes grouped by method (index order kept), so typing a local receiver does
        # not rescan every assignment of the app for every call.
        self._locals_by_method: dict[int, list[Assignment]] = {}
        for assignment in index.assignments:
            if assignment.target == "local" and assignment.enclosing_method is not None:
                self._locals_by_method.setdefault(id(assignment.enclosing_method), []).append(
                    assignment)
        self._pseudo: dict[str, MethodDef] = {}
        add_site = self.graph.add_site
        for call in index.calls:
            caller = call.enclosing_method or self._pseudo_owner(call)
            if caller is None:
                continue
            caller_key = caller.key
            for target in self.resolve(call):
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
        source = self.index.project.files.get(call.path)
        if source is None:
            return None
        if source.kind == "erb":
            return self._pseudo_method(call.path, "template", "", source)
        if call.path.endswith(".rake"):
            return self._pseudo_method(call.path, "task", "", source)
        if call.enclosing_class and _in_callback_block(call.node):
            return self._pseudo_method(call.path, "callbacks", call.enclosing_class, source)
        return None

    def _pseudo_method(self, path: str, kind: str, owner: str, source: SourceFile) -> MethodDef:
        key = f"<{kind} {owner or path}>"
        method = self._pseudo.get(key)
        if method is None:
            root = source.root
            assert root is not None
            method = MethodDef(name=f"<{kind} {owner or path}>", owner="", singleton=False,
                               params=(), visibility="public", path=path, line=1,
                               end_line=treeutil.end_line_of(root), node=root,
                               kind=kind)  # type: ignore[arg-type]
            self._pseudo[key] = method
            self.methods.setdefault(method.key, method)
            self.graph.add_node(method.key)
        return method

    # -- resolution -------------------------------------------------------------
    def _collect_ivar_types(self) -> dict[tuple[str, str], str]:
        types: dict[tuple[str, str], str] = {}
        for assignment in self.index.assignments:
            if assignment.target != "ivar" or assignment.enclosing_class is None:
                continue
            cls = self._constructed_class(assignment.value, assignment.enclosing_class)
            if cls:
                types[(assignment.enclosing_class, assignment.name)] = cls
        return types

    def _constructed_class(self, node: Node | None, context: str | None) -> str | None:
        """``Const.new(...)`` (or ``Const.call``/``Const.build``-free forms) -> the class name."""
        if node is None or node.type != "call":
            return None
        if treeutil.text(node.child_by_field_name("method")) != "new":
            return None
        receiver = node.child_by_field_name("receiver")
        if receiver is None or receiver.type == "self":
            return context or None  # ``new(...)`` inside a class method builds that class
        const = treeutil.constant_name(receiver)
        return self.index.resolve_constant(const, context) if const else None

    def _local_type(self, call: CallSite, name: str) -> str | None:
        method = call.enclosing_method
        if method is None:
            return None
        for assignment in self._locals_by_method.get(id(method), ()):
            if assignment.name == name and assignment.line <= call.line:
                found = self._constructed_class(assignment.value, call.enclosing_class)
                if found:
                    return found
        return None

    def _chain(self, cls: str) -> list[str]:
        """The owners a method lookup on ``cls`` tries, in order (computed once per class)."""
        chain = self._chains.get(cls)
        if chain is None:
            chain = []
            for owner in self.index.ancestors(cls):
                chain.append(self.index.resolve_constant(owner, owner))
                pending = [self.index.resolve_constant(inc, owner)
                           for inc in self.index.includes_of(owner)]
                while pending:  # a concern's own includes are looked up too
                    module = pending.pop(0)
                    if module in chain:
                        continue
                    chain.append(module)
                    pending += [self.index.resolve_constant(inc, module)
                                for inc in self.index.includes_of(module)]
            self._chains[cls] = chain
        return chain

    def _in_class_chain(self, cls: str, name: str, singleton: bool) -> list[str]:
        sep = "." if singleton else "#"
        methods = self.methods
        for resolved in self._chain(cls):
            key = f"{resolved}{sep}{name}"
            if key in methods:
                return [key]
        return []

    def structural_keys(self, cls: str, name: str, singleton: bool = False) -> list[str]:
        """The key of method ``name`` as ``cls`` (its superclasses, its modules) defines it."""
        return self._in_class_chain(cls, name, singleton)

    def structural_targets(self, call: CallSite) -> list[str]:
        """The method keys this call certainly reaches by the code's structure (class
        context, constants, constructed receivers), never by name alone.

        Memoised per call site (the value flow asks for every call of a name, once per
        method of that name); the answer depends only on the index."""
        found = self._structural.get(id(call))
        if found is None:
            found = self._structural[id(call)] = self.resolve(call, by_name=False)
        return found

    def resolve(self, call: CallSite, by_name: bool = True) -> list[str]:
        """The method keys this call may reach (empty when unknown)."""
        receiver = call.receiver
        context = call.enclosing_class or ""
        name = call.method
        if receiver is None or receiver.type == "self":
            singleton = bool(call.enclosing_method and call.enclosing_method.singleton)
            if name == "new" and singleton and context:
                return self._in_class_chain(context, "initialize", False)  # ``new(...)`` in ``self.call``
            found = self._in_class_chain(context, name, singleton) if context else []
            if found or receiver is not None or not by_name:
                return found
            return self._unresolved_self_call(call, name, singleton)
        const = treeutil.constant_name(receiver)
        if const is not None:
            cls = self.index.resolve_constant(const, context)
            if name == "new":
                return self._in_class_chain(cls, "initialize", False)
            return self._in_class_chain(cls, name, True)
        built = self._receiver_class(call, receiver)
        if built is not None:
            return self._in_class_chain(built, name, False)
        if not by_name:
            return []
        role = self._receiver_role(call) if self._receiver_role is not None else None
        if role is not None:
            if role.library:
                return []  # ``chat.ask`` on a RubyLLM chat is the gem's, not ChatSession#ask
            if role.app_class:
                singleton = role.kind == "module" or role.owner == "class"
                if singleton and name == "new":
                    return self._in_class_chain(role.app_class, "initialize", False)
                return self._in_class_chain(role.app_class, name, singleton)
        if name in _TOO_COMMON:
            return []
        # an explicit receiver never reaches a private method (``message.chat`` is not a
        # concern's private ``chat`` helper)
        return [key for key in self._by_name(name)
                if key not in self.methods or self.methods[key].visibility != "private"]

    def _receiver_class(self, call: CallSite, receiver: Node) -> str | None:
        if receiver.type == "call":
            return self._constructed_class(receiver, call.enclosing_class)
        if receiver.type == "identifier":
            return self._local_type(call, treeutil.text(receiver))
        if receiver.type == "instance_variable" and call.enclosing_class:
            return self._ivar_types.get((call.enclosing_class, treeutil.text(receiver)))
        return None

    def _unresolved_self_call(self, call: CallSite, name: str, singleton: bool) -> list[str]:
        """A receiver-less call its class chain does not answer: a method of a subclass (a
        base class's template method), of a class that includes this module, or, in a
        template, of a helper or a controller's ``helper_method``; else of a module no
        app class mixes in (one included where the index cannot see)."""
        project = self.index.project
        if project.is_test(call.path):
            # a test's helpers come from modules the framework mixes in (Rails's test
            # case classes, RSpec's config.include): any app method of the name may answer
            return self._by_name(name, modules_only=call.bare)
        context = call.enclosing_class or ""
        if context:
            below = sorted({key for cls in self._below.get(context, ())
                            for key in self._in_class_chain(cls, name, singleton)})
            if below:
                return below
        elif call.path.endswith((".erb", ".haml", ".slim")):
            helpers = sorted(m.key for m in self.index.methods_named(name)
                             if m.kind in ("def", "attr") and not m.singleton and
                             (m.owner.endswith("Helper") or
                              (m.owner.endswith("Controller") and name in self._helper_methods)))
            if helpers:
                return helpers
        return self._by_name(name, modules_only=True, unmixed=True)

    @cached_property
    def _below(self) -> dict[str, set[str]]:
        """Each app class or module -> the classes whose method lookup passes through it
        (its subclasses, the classes including it, and theirs)."""
        out: dict[str, set[str]] = {}
        for cls in sorted({c.name for c in self.index.classes}):
            for owner in self._chain(cls):
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
        return {self.index.resolve_constant(inc, cls.name)
                for cls in self.index.classes for inc in (*cls.includes, *cls.extends)}

    def _by_name(self, name: str, modules_only: bool = False, unmixed: bool = False) -> list[str]:
        """Methods called ``name`` anywhere in the app, when at most a few are: only
        modules' (``modules_only``), and only of modules no app class mixes in
        (``unmixed``: a helper, a module included where the index cannot see)."""
        key = (name, modules_only, unmixed)
        found = self._named.get(key)
        if found is not None:
            return found
        defs = [m for m in self.index.methods_named(name) if m.kind in ("def", "attr")]
        if modules_only:
            defs = [m for m in defs if any(c.kind == "module" for c in
                                           self.index.class_defs(m.owner))]
        if unmixed:
            defs = [m for m in defs if m.owner not in self._mixed_in]
        found = [] if not defs or len(defs) > _NAME_ONLY_LIMIT else sorted({m.key for m in defs})
        self._named[key] = found
        return found

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
