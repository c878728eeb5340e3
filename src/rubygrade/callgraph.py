"""A call graph over app and test code (networkx), resolved by name with class context.

Nodes are method keys (``ChatsController#create``, ``ChatSession.call``);
each edge keeps the call sites that made it, so a check can ask whether the
call on that edge sits inside a ``rescue``.

Resolution, and its limits (precision over recall):

- a call with no receiver or ``self`` resolves through the caller's class,
  its app superclasses and included app modules;
- ``Const.name`` resolves to the singleton method, ``Const.new`` to
  ``Const#initialize``, ``Const.new(...).name`` to ``Const#name``;
- a local or instance variable assigned from ``Const.new(...)`` in the same
  method (locals) or class (ivars) has that class;
- any other receiver resolves by name only when at most three app methods
  carry that name; otherwise no edge is drawn. Metaprogramming (``send``,
  ``define_method``, ``method_missing``) is not followed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import networkx as nx
from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.index.model import Assignment, CallSite, MethodDef

if TYPE_CHECKING:
    from rubygrade.index import Index
    from rubygrade.sources import SourceFile

_NAME_ONLY_LIMIT = 3
#: Class-body macros whose block or lambda runs when Rails calls back (a record is saved,
#: an action runs, a job performs).
CALLBACK_MACRO = re.compile(r"^(?:before|after|around)_\w+$|^(?:after|before)_(?:create|update|"
                            r"save|destroy|commit)_commit$")
_TOO_COMMON = {"new", "call", "each", "map", "to_s", "save", "update", "find", "create",
               "render", "present?", "blank?", "include?", "first", "last", "count"}


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
        self.index = index
        self._receiver_role = receiver_role
        self.graph: nx.DiGraph = nx.DiGraph()
        self.methods: dict[str, MethodDef] = {}
        for method in index.methods:
            self.methods.setdefault(method.key, method)
            self.graph.add_node(method.key)
        self._ivar_types = self._collect_ivar_types()
        # Local writes grouped by method (index order kept), so typing a local receiver does
        # not rescan every assignment of the app for every call.
        self._locals_by_method: dict[int, list[Assignment]] = {}
        for assignment in index.assignments:
            if assignment.target == "local" and assignment.enclosing_method is not None:
                self._locals_by_method.setdefault(id(assignment.enclosing_method), []).append(
                    assignment)
        self._pseudo: dict[str, MethodDef] = {}
        for call in index.calls:
            caller = call.enclosing_method or self._pseudo_owner(call)
            if caller is None:
                continue
            for target in self.resolve(call):
                if target == caller.key:
                    continue
                if self.graph.has_edge(caller.key, target):
                    self.graph.edges[caller.key, target]["sites"].append(call)
                else:
                    self.graph.add_edge(caller.key, target, sites=[call])

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

    def _in_class_chain(self, cls: str, name: str, singleton: bool) -> list[str]:
        for owner in self.index.ancestors(cls):
            for candidate in [owner, *self.index.includes_of(owner)]:
                resolved = self.index.resolve_constant(candidate, owner)
                key = f"{resolved}{'.' if singleton else '#'}{name}"
                if key in self.methods:
                    return [key]
        return []

    def structural_keys(self, cls: str, name: str, singleton: bool = False) -> list[str]:
        """The key of method ``name`` as ``cls`` (its superclasses, its modules) defines it."""
        return self._in_class_chain(cls, name, singleton)

    def structural_targets(self, call: CallSite) -> list[str]:
        """The method keys this call certainly reaches by the code's structure (class
        context, constants, constructed receivers), never by name alone."""
        return self.resolve(call, by_name=False)

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
            return self._by_name(name) if not call.bare else self._by_name(name, modules_only=True)
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
        return self._by_name(name)

    def _receiver_class(self, call: CallSite, receiver: Node) -> str | None:
        if receiver.type == "call":
            return self._constructed_class(receiver, call.enclosing_class)
        if receiver.type == "identifier":
            return self._local_type(call, treeutil.text(receiver))
        if receiver.type == "instance_variable" and call.enclosing_class:
            return self._ivar_types.get((call.enclosing_class, treeutil.text(receiver)))
        return None

    def _by_name(self, name: str, modules_only: bool = False) -> list[str]:
        defs = [m for m in self.index.methods_named(name) if m.kind in ("def", "attr")]
        if modules_only:
            defs = [m for m in defs if any(c.kind == "module" for c in
                                           self.index.class_defs(m.owner))]
        if not defs or len(defs) > _NAME_ONLY_LIMIT:
            return []
        return sorted({m.key for m in defs})

    # -- queries --------------------------------------------------------------------
    def callees(self, key: str) -> list[str]:
        return sorted(self.graph.successors(key)) if key in self.graph else []

    def reachable_from(self, keys: list[str]) -> set[str]:
        seen: set[str] = set()
        for key in keys:
            if key in self.graph and key not in seen:
                seen.add(key)
                seen |= nx.descendants(self.graph, key)
        return seen

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
