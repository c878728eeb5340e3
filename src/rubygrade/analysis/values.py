"""What does an expression hold? The value-flow analysis every RubyLLM question goes through.

``ValueFlow.type_of(node, scope)`` answers with a role (:class:`RType`): a RubyLLM
chat, message, chunk, model info or configuration; an ``acts_as_chat`` record; an
app subclass of a gem class; a client of another LLM library; a factory (lambda,
proc, method object) producing one of those; a cache store; or ``None`` when it is
not sure. Nothing is decided by a variable's name: only data flow counts.

Sources: entry points (``RubyLLM.chat``, ``RubyLLM::Chat.new``), the catalogue's
return hints (``with_*`` return ``self``, ``ask`` a Message), acts_as_chat finders
and associations (``Chat.find``, ``user.chats.find``), ``Rails.cache``.

Propagation: locals (the latest assignment before the use), instance variables
(every assignment in the class agrees; a constructor parameter takes the types its
``new`` call sites pass, and its default value), parameters of any method (default
value, and the arguments of every call site the call graph resolves structurally:
receiver-less, ``self.``, ``Const.m``, ``Const.new``), method returns (the last
expression), block parameters (iteration over messages, streaming chunks,
``configure``), factories (``-> { RubyLLM.chat }``, ``method(:build_chat)``, then
``.call``) and chains.

A chain step the locked catalogue lacks on a chat (a method a git fork of the gem
adds) keeps the chat's type at low confidence, so the call after it is still seen.
Test code is typed too, but call sites in tests never type app code: a test passes
doubles, and a double is not what the app receives in production.

Inference is demand-driven and memoised per node; nested inference is depth-limited,
so a pathological input yields ``None``, never a RecursionError.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.roles import Roles, load_roles
from rubygrade.analysis.views import Renders, view_controllers
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import Assignment, CallSite, MethodDef

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.catalogue.model import Catalogue, MethodSig
    from rubygrade.index import Index
    from rubygrade.project import Project

_MAX_DEPTH = 40

TypeKind = Literal["instance", "module", "collection", "record", "subclass", "external",
                   "factory", "store", "app", "foreign"]
Certainty = Literal["high", "low"]

# Iteration methods whose block receives one element of the receiver.
_ITERATORS = {
    "each", "map", "collect", "flat_map", "filter_map", "select", "filter", "reject",
    "find", "detect", "each_with_index", "each_with_object", "sum", "count", "any?", "all?",
    "none?", "group_by", "sort_by", "min_by", "max_by", "partition", "reverse_each",
    "each_message", "index_by", "find_all",
}
# Collection methods returning one element / a sub-collection.
_ELEMENT = {"first", "last", "[]", "find", "detect", "sample", "at", "fetch", "dig", "find_by",
            "find_by!", "take", "sole", "first!", "last!", "create", "create!", "build", "new",
            "find_or_create_by", "find_or_create_by!", "find_or_initialize_by"}
_SUBSET = {"select", "filter", "reject", "last", "first", "drop", "take", "reverse",
           "sort_by", "find_all", "compact", "to_a", "where", "order", "includes", "limit",
           "recent", "all", "not", "offset", "reorder", "distinct", "preload", "eager_load",
           "excluding", "without"}  # ``not``: ``where.not(...)``, the relation again
# Element methods that return a sub-collection when given a count (``last(10)``).
_COUNTED = {"first", "last", "take", "sample"}
# ActiveRecord class methods returning one record.
_FINDERS = {"find", "find_by", "find_by!", "create", "create!", "new", "first", "last",
            "find_or_create_by", "find_or_create_by!", "take", "build", "first!", "last!",
            "find_or_initialize_by", "sole", "find_sole_by", "create_with"}
_MODEL_BASES = {"ApplicationRecord", "ActiveRecord::Base", "::ActiveRecord::Base"}
_ASSOCIATIONS = {"has_many": True, "has_one": False, "belongs_to": False}
_FACTORY_CALLS = {"call", "()", "yield", "[]"}
_STORES = {"Rails.cache", "::Rails.cache"}
_NEW_ACTS_AS = re.compile(r"use_new_acts_as\s*=\s*true")
_SPACES = re.compile(r"\s*")
_WORD_BOUNDARY = re.compile(r"\b")


@dataclass(frozen=True)
class RType:
    """A known role of a value. ``owner`` is the catalogue class/module whose methods apply.

    - ``instance``: an instance of gem class ``owner`` (``RubyLLM::Chat``);
    - ``module``: the constant ``owner`` itself (``RubyLLM``, ``RubyLLM::Chat``), or an app
      class tied to the gem (``app_class``: an acts_as_chat model, a gem subclass);
    - ``collection``: an Array-like of ``owner`` values (``chat.messages``), or of
      ``app_class`` records (``user.chats``);
    - ``record``: an instance of app model ``app_class`` that declares ``acts_as_*``;
      gem methods come from the Rails integration module ``owner``;
    - ``subclass``: an instance of app class ``app_class`` inheriting gem class ``owner``;
    - ``external``: a client of another LLM library (``owner`` is e.g. ``OpenAI::Client``);
    - ``factory``: a lambda, proc or method object whose call returns ``of``;
    - ``store``: a cache store (``owner`` is ``Rails.cache``);
    - ``app``: an instance of app class ``app_class`` (or the class itself when ``owner``
      is ``"class"``) that the gem does not know;
    - ``foreign``: a value of a library other than ruby_llm (``ActiveRecord::Base.connection``,
      ``JSON.parse(...)``): its methods are the library's, never the app's.

    ``certainty`` is "low" when the type survived a step the analysis could not check
    (a chain method the locked catalogue lacks, a parameter some call site leaves unknown).
    """

    owner: str
    kind: TypeKind = "instance"
    app_class: str | None = None
    certainty: Certainty = "high"
    of: RType | None = None

    @property
    def label(self) -> str:
        if self.kind == "record":
            return f"{self.app_class} (ActiveRecord model with {self.owner.rsplit('::', 1)[-1]})"
        if self.kind == "subclass":
            return f"{self.app_class} (subclass of {self.owner})"
        if self.kind == "collection":
            return f"a collection of {self.app_class or self.owner}"
        if self.kind == "factory" and self.of is not None:
            return f"a factory of {self.of.label}"
        if self.kind == "app":
            return f"{self.app_class}" if self.owner == "class" else f"a {self.app_class}"
        return self.owner

    @property
    def is_rubyllm(self) -> bool:
        return self.kind not in ("external", "factory", "store", "app", "foreign") and \
            self.owner.startswith("RubyLLM")

    @property
    def library(self) -> bool:
        """A value whose methods belong to a library (ruby_llm or another), not the app
        (an acts_as_chat record or a gem subclass is the app's class, with gem methods)."""
        if self.kind in ("record", "subclass"):
            return False
        return self.is_rubyllm or self.kind in ("external", "store", "foreign", "factory")

    @property
    def certain(self) -> bool:
        return self.certainty == "high"

    def same_role(self, other: RType) -> bool:
        return (self.owner, self.kind, self.app_class, self.of) == \
            (other.owner, other.kind, other.app_class, other.of)

    def lowered(self) -> RType:
        return self if self.certainty == "low" else replace(self, certainty="low")


@dataclass(frozen=True)
class Scope:
    """Where an expression sits: file, enclosing method, enclosing class."""

    path: str
    method: MethodDef | None
    cls: str | None


def scope_of_call(call: CallSite) -> Scope:
    return Scope(call.path, call.enclosing_method, call.enclosing_class)


def uses_new_acts_as(project: Project) -> bool:
    """``config.use_new_acts_as = true``: the 1.7+ Rails integration modules apply."""
    for path, source in project.files.items():
        if source.kind == "ruby" and "config/" in path and "use_new_acts_as" in source.text:
            if _NEW_ACTS_AS.search(source.text):
                return True
    return False


def _agree(types: list[RType | None]) -> RType | None:
    """One role all known sources agree on (low certainty if some source is unknown)."""
    known = [t for t in types if t is not None]
    if not known:
        return None
    first = known[0]
    if any(not t.same_role(first) for t in known[1:]):
        return None
    if len(known) < len(types) or any(not t.certain for t in known):
        return first.lowered()
    return first


class ValueFlow:
    """The run's value analysis over the index; results are memoised per node."""

    def __init__(self, facts: Facts) -> None:
        self.project = facts.project
        self.index: Index = facts.index
        self.catalogue: Catalogue | None = facts.catalogue
        self.roles: Roles = load_roles()
        self.new_acts_as = uses_new_acts_as(facts.project)
        self._memo: dict[tuple[int, str], RType | None] = {}
        self._in_progress: set[tuple[int, str]] = set()
        self._method_memo: dict[int, RType | None] = {}
        self._param_memo: dict[tuple[int, str], RType | None] = {}
        self._sites_memo: dict[int, list[CallSite]] = {}
        self._targets_memo: dict[str, dict[str, list[CallSite]]] = {}
        self._rescue_var_memo: dict[tuple[str, str], bool] = {}
        self._rescue_starts_memo: dict[str, list[int]] = {}
        self._receiver_memo: dict[CallSite, RType | None] = {}
        self._self_memo: dict[tuple[str, bool], RType | None] = {}
        self._app_method_memo: dict[tuple[str, str, bool], MethodDef | None] = {}
        self._ivar_memo: dict[str, dict[str | None, list[tuple[Assignment, Scope]]]] = {}
        self._view_classes: dict[str, list[str]] = {}  # by view path
        self._app_class_memo: dict[tuple[str, bool], RType | None] = {}
        self._targets_by_association: dict[str, set[tuple[str, bool]]] | None = None
        self._unresolved_memo: dict[str, bool] = {}
        self._scopes: dict[tuple[str, MethodDef | None, str | None], Scope] = {}
        self._sig_memo: dict[tuple[str, str, bool], MethodSig | None] = {}
        self._scope_memo: dict[tuple[str, str], bool] = {}
        self._model_memo: dict[str, bool] = {}
        self._constant_memo: dict[tuple[str, str | None], RType | None] = {}
        # The binders and stops of each method (or file) identifiers are looked up in; with no
        # deep node in the index, no climb reaches the bound, so they can answer for it.
        self._shallow = not treeutil.deep_nodes_seen()
        self._method_regions: dict[int, _Region | None] = {}  # by id(MethodDef)
        self._file_regions: dict[str, _Region | None] = {}
        self._def_spans: dict[str, list[tuple[int, int]]] | None = None
        # ``items.each { |name| ... }`` and ``->(name) { ... }``: which enclosing block or
        # lambda binds an identifier (see _Binders)
        self._block_params = _Binders(frozenset(("block", "do_block")),
                                      frozenset(("method", "singleton_method", "class", "module")),
                                      _parameter_positions, "blocks")
        self._lambda_params = _Binders(frozenset(("lambda",)),
                                       frozenset(("method", "singleton_method")),
                                       _lambda_parameter_positions, "lambdas")
        self.views = Renders(facts.project, facts.index)
        chat_macro = self.roles.acts_as_macro("acts_as_chat")
        self.chat_record_modules = frozenset(
            (chat_macro.new, chat_macro.legacy) if chat_macro is not None else ())
        self.records = self._record_classes()
        self.subclasses = self._gem_subclasses()
        self.associations = self._associations()

    # -- app classes tied to the gem -----------------------------------------------
    def _record_classes(self) -> dict[str, str]:
        """App model -> the catalogue module holding its gem methods (``acts_as_*``)."""
        out: dict[str, str] = {}
        for spec in self.roles.acts_as:
            for call in self.index.calls_named(spec.macro):
                if call.receiver is not None or call.enclosing_method is not None or \
                        not call.enclosing_class:
                    continue
                module = spec.new
                if not self.new_acts_as and self._has_class(spec.legacy):
                    module = spec.legacy
                out.setdefault(call.enclosing_class, module)
        return out

    def _has_class(self, name: str) -> bool:
        return self.catalogue is not None and self.catalogue.get_class(name) is not None

    def _gem_subclasses(self) -> dict[str, str]:
        """App class -> the gem class it (transitively) inherits, e.g. ``RubyLLM::Agent``."""
        out: dict[str, str] = {}
        for cls in self.index.classes:
            if cls.kind != "class":
                continue
            for ancestor in self.index.ancestors(cls.name)[1:]:
                if ancestor.removeprefix("::").startswith("RubyLLM::"):
                    out.setdefault(cls.name, ancestor.removeprefix("::"))
                    break
        return out

    def _associations(self) -> dict[tuple[str, str], tuple[str, bool]]:
        """(app model, association name) -> (the app model it returns, many?)."""
        out: dict[tuple[str, str], tuple[str, bool]] = {}
        for macro, many in _ASSOCIATIONS.items():
            for call in self.index.calls_named(macro):
                if call.receiver is not None or call.enclosing_method is not None or \
                        not call.enclosing_class or not call.positional:
                    continue
                name = treeutil.string_value(call.positional[0].node)
                if not name:
                    continue
                option = call.keyword("class_name")
                target = treeutil.string_value(option.value) if option is not None else None
                if target is None:
                    target = _camelize(_singular(name) if many else name)
                resolved = self.index.resolve_constant(target, call.enclosing_class)
                if resolved in self.records or self.index.class_defs(resolved):
                    out.setdefault((call.enclosing_class, name), (resolved, many))
        return out

    # -- public API --------------------------------------------------------------
    def type_of(self, node: Node | None, scope: Scope, depth: int = 0) -> RType | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        memo = self._memo
        key = (node.id, scope.path)
        if key in memo:
            return memo[key]
        infer = _INFERRERS.get(node.type)
        if infer is None:  # a node type that is never typed (a literal, an argument list)
            memo[key] = None
            return None
        in_progress = self._in_progress
        if key in in_progress:
            return None
        in_progress.add(key)
        try:
            result = infer(self, node, scope, depth + 1)
        finally:
            in_progress.discard(key)
        memo[key] = result
        return result

    def type_at(self, node: Node | None, where: Scope | CallSite) -> RType | None:
        """The type of ``node`` (None: unknown). ``where`` is a Scope or the CallSite that
        contains ``node`` (e.g. ``values.type_at(call.receiver, call)``)."""
        scope = where if isinstance(where, Scope) else scope_of_call(where)
        return self.type_of(node, scope)

    def receiver_type(self, call: CallSite) -> RType | None:
        """The type of ``call``'s receiver (``self`` for a receiver-less call)."""
        # Memoised per call site: the API checks, the usage facts and the call graph each
        # ask for every call. Never asked during an inference, so the first answer is
        # final (type_of memoises every top-level answer).
        memo = self._receiver_memo
        if call in memo:
            return memo[call]
        receiver = call.receiver
        if receiver is None:
            found = self.self_type(self._scope_of(call))
        else:
            key = (receiver.id, call.path)  # type_of's memo, looked up before a Scope is made
            found = self._memo[key] if key in self._memo else \
                self.type_of(receiver, self._scope_of(call))
        memo[call] = found
        return found

    def _scope_of(self, call: CallSite) -> Scope:
        """``scope_of_call(call)``, one shared Scope per (file, method, class): making a
        frozen dataclass per call was a tenth of the API checks."""
        key = (call.path, call.enclosing_method, call.enclosing_class)
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = scope_of_call(call)
        return scope

    def self_type(self, scope: Scope) -> RType | None:
        """The type of ``self`` inside an instance method of an app class tied to the gem."""
        if scope.cls is None or scope.method is None:
            return None
        key = (scope.cls, scope.method.singleton)
        if key not in self._self_memo:  # the same few answers for every call in a class
            self._self_memo[key] = self._self_of(*key)
        return self._self_memo[key]

    def _self_of(self, cls: str, singleton: bool) -> RType | None:
        if singleton:
            return self.app_class_type(cls, instance=False)
        if cls in self.records:
            return RType(self.records[cls], "record", cls)
        if cls in self.subclasses:
            return RType(self.subclasses[cls], "subclass", cls)
        return self.app_class_type(cls, instance=True)

    def app_class_type(self, cls: str, instance: bool) -> RType | None:
        """An instance of (or the class) ``cls`` when the app defines it as a class."""
        key = (cls, instance)
        if key not in self._app_class_memo:  # asked for every ``self`` and constant typed
            self._app_class_memo[key] = RType("instance" if instance else "class", "app", cls) \
                if any(c.kind == "class" for c in self.index.class_defs(cls)) else None
        return self._app_class_memo[key]

    def returns_of(self, method: MethodDef) -> RType | None:
        """The type a method returns (its last expression), or None."""
        return self._method_return(method, 0)

    def param_type(self, method: MethodDef, name: str) -> RType | None:
        """The type a parameter holds in production: its default and app call sites agree."""
        return self._param_type(method, name, 0)

    def ivar_type(self, cls: str, name: str) -> RType | None:
        """What instance variable ``name`` of app class ``cls`` holds (all writes agree)."""
        return self._ivar(name, Scope("", None, cls), 0)

    def structural_targets(self, call: CallSite) -> list[str]:
        """App methods ``call`` certainly reaches (see CallGraph.structural_targets)."""
        return self.index.call_graph.structural_targets(call)

    def is_send(self, call: CallSite) -> bool:
        """``call`` sends a request to the model through ruby_llm."""
        if call.method not in self.roles.all_sends:
            return False
        recv = self.receiver_type(call)
        return recv is not None and recv.is_rubyllm and self.sends_api(recv, call.method) \
            is not None

    def sends_api(self, recv: RType, method: str) -> str | None:
        """``"RubyLLM::Chat#ask"`` when ``recv.method`` sends a request, else None."""
        if recv.kind == "module":
            if recv.app_class is None and method in self.roles.module_sends:
                return f"{recv.owner}.{method}"
            return None
        if method not in self.roles.chat_sends:
            return None
        if recv.kind == "instance" and recv.owner in self.roles.chat_classes:
            return f"{recv.owner}#{method}"
        if recv.kind == "subclass" or (recv.kind == "record" and
                                       recv.owner in self.chat_record_modules):
            return f"{recv.owner}#{method}"
        return None

    # -- inference by node type ------------------------------------------------
    def _last_of(self, node: Node, scope: Scope, depth: int) -> RType | None:
        last = _last_statement(node)
        return self.type_of(last, scope, depth) if last is not None else None

    def _right_side(self, node: Node, scope: Scope, depth: int) -> RType | None:
        return self.type_of(node.child_by_field_name("right"), scope, depth)

    def _constant_at(self, node: Node, scope: Scope, depth: int) -> RType | None:
        return self._constant(node, scope)

    def _self_at(self, node: Node, scope: Scope, depth: int) -> RType | None:
        return self.self_type(scope)

    def _ivar_at(self, node: Node, scope: Scope, depth: int) -> RType | None:
        return self._ivar(treeutil.text(node), scope, depth)

    def _lambda_at(self, node: Node, scope: Scope, depth: int) -> RType | None:
        return self._factory(node.child_by_field_name("body"), scope, depth)

    def _element_reference(self, node: Node, scope: Scope, depth: int) -> RType | None:
        recv = self.type_of(node.named_children[0] if node.named_children else None,
                            scope, depth)
        if recv is not None and recv.kind == "collection":
            return self._element(recv)
        if recv is not None and recv.kind == "factory":
            return recv.of
        return None

    def _statement_branches(self, node: Node, scope: Scope, depth: int) -> RType | None:
        """``if a then x elsif b then y else z end`` as a value: the role every branch ends in."""
        ends: list[Node | None] = []
        stack = [node]
        while stack:
            current = stack.pop()
            for child in current.named_children:
                if child.type in ("then", "else"):
                    ends.append(_last_statement(child))
                elif child.type in ("elsif", "when"):
                    stack.append(child)
        if not ends:
            return None
        types = [self.type_of(e, scope, depth) for e in ends]
        known = [t for t in types if t is not None]
        if not known or any(not t.same_role(known[0]) for t in known[1:]):
            return None
        return known[0] if len(known) == len(types) else known[0].lowered()

    def _branches(self, node: Node, scope: Scope, depth: int) -> RType | None:
        """``a || b``, ``x ? a : b``: the role both sides agree on (``@chat || RubyLLM.chat``)."""
        if node.type == "binary":
            operator = node.child_by_field_name("operator")
            if operator is None or treeutil.text(operator) not in ("||", "or"):
                return None
            sides = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        else:
            sides = [node.child_by_field_name("consequence"),
                     node.child_by_field_name("alternative")]
        types = [self.type_of(s, scope, depth) for s in sides if s is not None]
        known = [t for t in types if t is not None]
        if not known or any(not t.same_role(known[0]) for t in known[1:]):
            return None
        return known[0] if len(known) == len(types) else known[0].lowered()

    def _factory(self, block: Node | None, scope: Scope, depth: int) -> RType | None:
        if block is None:
            return None
        body = block.child_by_field_name("body") if block.type in ("block", "do_block") \
            else block
        if body is None:
            body = next((c for c in block.named_children if c.type in (
                "block_body", "body_statement")), None)
        produced = self.type_of(body, scope, depth) if body is not None else None
        if produced is None or produced.kind == "factory":
            return None
        return RType(produced.owner, "factory", produced.app_class, produced.certainty,
                     of=produced)

    def _constant(self, node: Node, scope: Scope) -> RType | None:
        name = treeutil.constant_name(node)
        if name is None:
            return None
        key = (name, scope.cls)
        if key not in self._constant_memo:  # the index does not change: once per name, class
            self._constant_memo[key] = self._constant_named(name.removeprefix("::"), scope.cls)
        return self._constant_memo[key]

    def _constant_named(self, name: str, cls: str | None) -> RType | None:
        """What constant ``name`` (as written, without a leading ``::``) is inside ``cls``."""
        if name == "RubyLLM" or name.startswith("RubyLLM::"):
            return RType(name, "module")
        if name in self.roles.external_clients:
            return RType(name, "module")
        resolved = self.index.resolve_constant(name, cls)
        if resolved in self.records:
            return RType(self.records[resolved], "module", resolved)
        if resolved in self.subclasses:
            return RType(self.subclasses[resolved], "module", resolved)
        if self.index.class_defs(resolved):
            return self.app_class_type(resolved, instance=False)
        if self._app_constant(resolved):
            return None  # ``Config = Struct.new(...)``, ``Chat = ...``: the app's, unknown
        return RType(resolved, "foreign")

    def _app_constant(self, name: str) -> bool:
        """The app assigns the constant (or a namespace of it) somewhere."""
        head = name.split("::")
        return any(self.index.class_defs("::".join(head[:i])) or any(
            True for _ in self.index.assignments_to("constant", "::".join(head[:i])))
            for i in range(1, len(head) + 1))

    def _identifier(self, node: Node, scope: Scope, depth: int) -> RType | None:
        name = treeutil.text(node)
        region = self._region(scope)
        param = self._block_params.find(node, name, region)
        if param is not None:
            block, position = param
            return self._block_param_type(block, position, scope, depth)
        assignment = self._latest_local(name, node, scope)
        if assignment is not None:
            return self.type_of(assignment, scope, depth)
        if scope.method is not None and any(p.name == name for p in scope.method.params):
            return self._param_type(scope.method, name, depth)
        caught = self._rescued(node, name, scope)
        if caught is not None:
            return caught
        if self._lambda_params.find(node, name, region) is not None:
            return None  # a lambda's parameter: tree-sitter or Ruby treats it as a local
        if scope.method is None and scope.path.endswith(".erb"):
            local = self._partial_local(scope.path, name, depth)
            if local is not None:
                return local
        return self._self_call(name, scope, depth)

    def _region(self, scope: Scope) -> _Region | None:
        """The binders of the method around an identifier (of its file outside a ``def``),
        found once per method; None when the climb must answer (deep trees)."""
        if not self._shallow:
            return None
        method = scope.method
        if method is None:
            return self._file_region(scope.path)
        key = id(method)  # a method is in one file
        if key in self._method_regions:
            return self._method_regions[key]
        top = method.node
        if top.type in ("method", "singleton_method"):
            region: _Region | None = _Region(top)
        else:  # a test block, a callback: outside a ``def``, so the whole file
            region = self._file_region(scope.path)
        self._method_regions[key] = region
        return region

    def _file_region(self, path: str) -> _Region | None:
        if path not in self._file_regions:
            source = self.project.files.get(path)
            root = source.root if source is not None and source.language == "ruby" else None
            self._file_regions[path] = _Region(root, self._methods_in(path)) \
                if root is not None else None
        return self._file_regions[path]

    def _methods_in(self, path: str) -> list[tuple[int, int]]:
        """(start, end) of the outermost ``def`` bodies of a file, in order."""
        if self._def_spans is None:
            spans: dict[str, list[tuple[int, int]]] = {}
            for method in self.index.methods:
                node = method.node
                if node.type in ("method", "singleton_method"):
                    spans.setdefault(method.path, []).append((node.start_byte, node.end_byte))
            self._def_spans = spans
        outermost: list[tuple[int, int]] = []
        for start, end in sorted(self._def_spans.get(path, ())):
            if outermost and start < outermost[-1][1]:
                continue  # nested in the previous one
            outermost.append((start, end))
        return outermost

    def _rescued(self, node: Node, name: str, scope: Scope) -> RType | None:
        """``rescue X => e``: ``e`` is the caught exception, an app object only when every
        class rescued is the app's (``e.message`` is Ruby's, never an app ``#message``)."""
        if not self._binds_rescue_variable(scope.path, name):
            return None  # the cheap test first: most identifiers are no rescue variable
        for anc in treeutil.ancestors(node):
            if anc.type in ("method", "singleton_method", "class", "module"):
                return None
            if anc.type != "rescue":
                continue
            variable = anc.child_by_field_name("variable")
            if variable is None or treeutil.text(variable).lstrip("=> ").strip() != name:
                continue
            exceptions = anc.child_by_field_name("exceptions")
            names = [treeutil.constant_name(c) for c in exceptions.named_children] \
                if exceptions is not None else []
            classes = {self.index.resolve_constant(n, scope.cls) for n in names if n}
            if names and all(n for n in names) and len(classes) == 1:
                (cls,) = classes
                if self.index.class_defs(cls):
                    return RType("instance", "app", cls)
            return RType("Exception", "foreign")
        return None

    def _is_scope(self, model: str, name: str) -> bool:
        """``scope :visible, -> { ... }`` in ``model`` (or an ancestor): a relation method."""
        key = (model, name)
        found = self._scope_memo.get(key)
        if found is None:
            owners = set(self.index.ancestors(model))
            found = any(call.receiver is None and call.enclosing_method is None and
                        call.enclosing_class in owners and call.positional and
                        treeutil.string_value(call.positional[0].value) == name
                        for call in self.index.calls_named("scope"))
            self._scope_memo[key] = found
        return found

    def _binds_rescue_variable(self, path: str, name: str) -> bool:
        """The file has a line ``rescue ... => name``: the word ``rescue``, an arrow later
        on the line, then ``name`` as a whole word after any whitespace."""
        key = (path, name)
        found = self._rescue_var_memo.get(key)
        if found is None:
            source = self.project.files.get(path)
            found = source is not None and any(
                source.text.startswith(name, at) and
                _WORD_BOUNDARY.match(source.text, at + len(name)) is not None
                for at in self._rescue_variable_starts(path, source.text))
            self._rescue_var_memo[key] = found
        return found

    def _rescue_variable_starts(self, path: str, text: str) -> list[int]:
        """Where a name may follow ``rescue ... =>`` in a file: after each ``=>`` on a line
        with the word ``rescue`` before it, and the whitespace after the arrow. Found once
        per file; a regular expression search per (file, name) was a tenth of the API
        checks."""
        starts = self._rescue_starts_memo.get(path)
        if starts is None:
            found: dict[int, None] = {}
            for after in _words_ending(text, "rescue"):
                line_end = text.find("\n", after)
                line_end = len(text) if line_end < 0 else line_end
                arrow = text.find("=>", after, line_end)
                while arrow >= 0:
                    space = _SPACES.match(text, arrow + 2)
                    found[space.end() if space is not None else arrow + 2] = None
                    arrow = text.find("=>", arrow + 1, line_end)
            starts = self._rescue_starts_memo[path] = list(found)
        return starts

    def _partial_local(self, path: str, name: str, depth: int) -> RType | None:
        """A partial's local: what the renders pass (an element, for a collection)."""
        types: list[RType | None] = []
        for value, call, each in self.views.partial_local_values(path, name):
            typ = self.type_of(value, self._scope_of(call), depth)
            if typ is not None and typ.kind == "collection" and each:
                typ = self._element(typ)
            types.append(typ)
        return _agree(types) if types else None

    def _latest_local(self, name: str, use: Node, scope: Scope) -> Node | None:
        best: Node | None = None
        for a in self.index.local_assignments(scope.method, scope.path, name):
            if a.node.end_byte > use.start_byte or a.value is None:
                continue
            if best is None or a.node.start_byte > best.start_byte:
                best = a.node
        return best

    # -- parameters ----------------------------------------------------------------
    def _param_type(self, method: MethodDef, name: str, depth: int) -> RType | None:
        key = (id(method), name)
        if key in self._param_memo:
            return self._param_memo[key]
        self._param_memo[key] = None  # guards recursion through mutual calls
        result = self._infer_param(method, name, depth)
        self._param_memo[key] = result
        return result

    def _infer_param(self, method: MethodDef, name: str, depth: int) -> RType | None:
        if method.kind not in ("def",):
            return None
        slot = param_slot(method, name)
        if slot is None:
            return None
        kind, position, default = slot
        sources: list[RType | None] = []
        if default is not None:
            sources.append(self.type_of(default, Scope(method.path, method, method.owner or None),
                                        depth))
        for site in self._call_sites(method):
            if self.project.is_test(site.path):
                continue  # tests pass doubles: not what production code receives
            arg = _argument_for(site, kind, position, name)
            if arg is _NOT_PASSED:
                continue  # the default applies
            sources.append(self.type_of(arg, self._scope_of(site), depth)
                           if isinstance(arg, Node) else None)
        if not sources:
            return None
        if method.visibility == "public" and method.name != "initialize" and \
                self._unresolved_callers(method):
            sources.append(None)  # a caller the analysis cannot see may pass anything
        return _agree(sources)

    def _unresolved_callers(self, method: MethodDef) -> bool:
        """App code calls ``method``'s name on a receiver no structure resolves."""
        found = self._unresolved_memo.get(method.name)
        if found is None:  # the same answer for every method of that name
            graph = self.index.call_graph
            found = self._unresolved_memo[method.name] = any(
                not graph.structural_targets(call)
                for call in self.index.calls_named(method.name)
                if call.receiver is not None and call.receiver.type != "self" and
                not self.project.is_test(call.path))
        return found

    def _call_sites(self, method: MethodDef) -> list[CallSite]:
        """Call sites that certainly call ``method`` (structural resolution, no names)."""
        key = id(method)
        if key in self._sites_memo:
            return self._sites_memo[key]
        wanted = "new" if method.name == "initialize" and not method.singleton else method.name
        sites = list(self._sites_by_target(wanted).get(method.key, ()))
        if method.name == "perform" and not method.singleton and method.owner:
            sites += self._enqueues(method.owner)
        self._sites_memo[key] = sites
        return sites

    def _sites_by_target(self, name: str) -> dict[str, list[CallSite]]:
        """The calls of ``name``, grouped by the method keys each structurally reaches (index
        order kept). Built once per name: every method of that name (every ``initialize``
        for ``new``) takes its sites from here instead of resolving all calls of the name."""
        table = self._targets_memo.get(name)
        if table is None:
            graph = self.index.call_graph
            table = {}
            for call in self.index.calls_named(name):
                for target in dict.fromkeys(graph.structural_targets(call)):
                    table.setdefault(target, []).append(call)
            self._targets_memo[name] = table
        return table

    def _enqueues(self, job: str) -> list[CallSite]:
        """``ReplyJob.perform_later(chat)`` (or ``.set(wait: 1).perform_later``,
        ``perform_now``): Active Job hands the arguments to ``perform`` (records through
        GlobalID), so they are its call sites."""
        out: list[CallSite] = []
        for call in self.index.calls_named("perform_later", "perform_now"):
            receiver = call.receiver
            if receiver is not None and receiver.type == "call" and \
                    treeutil.text(receiver.child_by_field_name("method")) == "set":
                receiver = receiver.child_by_field_name("receiver")
            const = treeutil.constant_name(receiver)
            if const and self.index.resolve_constant(const, call.enclosing_class) == job:
                out.append(call)
        return out

    # -- instance variables --------------------------------------------------------
    def _ivar(self, name: str, scope: Scope, depth: int) -> RType | None:
        classes = [scope.cls] if scope.cls else self._view_controllers(scope.path)
        if not classes:
            return None
        types: list[RType | None] = []
        (cls,) = classes  # one class, or the one controller of a view
        for a, value_scope in self._ivar_writes(name).get(cls, ()):
            if a.value is None:
                continue
            if a.value.type == "nil":
                continue
            typ = self.type_of(a.value, value_scope, depth)
            if typ is None:
                return None  # some assignment of unknown type: not sure
            types.append(typ)
        found = _agree(types)
        return found

    def _view_controllers(self, path: str) -> list[str]:
        """:func:`view_controllers` once per view: asked for every instance variable in it."""
        found = self._view_classes.get(path)
        if found is None:
            found = self._view_classes[path] = view_controllers(self.project, self.index, path)
        return found

    def _ivar_writes(self, name: str) -> dict[str | None, list[tuple[Assignment, Scope]]]:
        """The writes to instance variable ``name`` (and where each is) by enclosing class,
        in index order: built once per name instead of a scan of every class's writes per
        use."""
        table = self._ivar_memo.get(name)
        if table is None:
            table = {}
            for a in self.index.assignments_to("ivar", name):
                table.setdefault(a.enclosing_class, []).append(
                    (a, Scope(a.path, a.enclosing_method, a.enclosing_class)))
            self._ivar_memo[name] = table
        return table

    # -- calls -----------------------------------------------------------------------
    def _self_call(self, name: str, scope: Scope, depth: int) -> RType | None:
        """A receiver-less call: an app method of this class, or a gem method of ``self``."""
        if scope.cls is None:
            return None
        singleton = scope.method.singleton if scope.method is not None else True
        method = self._app_method(scope.cls, name, singleton)
        if method is not None:
            return self._method_return(method, depth)
        me = self.self_type(scope)
        if me is not None:
            return self._method_result(me, name, depth)
        return None

    def _app_method(self, cls: str, name: str, singleton: bool) -> MethodDef | None:
        """The app method (``def`` or ``attr_*``) ``name`` of ``cls`` or its nearest
        superclass that has it. Memoised: the index does not change during a run, and the
        lookup builds a list per ancestor."""
        key = (cls, name, singleton)
        if key in self._app_method_memo:
            return self._app_method_memo[key]
        found = next((method for owner in self.index.ancestors(cls)
                      for method in self.index.methods_of(owner, singleton)
                      if method.name == name and method.kind in ("def", "attr")), None)
        self._app_method_memo[key] = found
        return found

    def _method_return(self, method: MethodDef, depth: int) -> RType | None:
        key = id(method)
        if key in self._method_memo:
            return self._method_memo[key]
        self._method_memo[key] = None  # guards recursion through mutual calls
        result: RType | None = None
        if method.kind == "attr":
            result = self._ivar("@" + method.name, Scope(method.path, None, method.owner), depth)
        else:
            body = method.body
            last = _last_statement(body) if body is not None and body.type in (
                "body_statement", "begin") else body
            if last is not None:
                result = self.type_of(last, Scope(method.path, method, method.owner or None),
                                      depth)
        self._method_memo[key] = result
        return result

    def _call(self, node: Node, scope: Scope, depth: int) -> RType | None:
        method_node = node.child_by_field_name("method")
        name = treeutil.text(method_node) if method_node is not None else "()"
        receiver = node.child_by_field_name("receiver")
        if receiver is None:
            if name in ("lambda", "proc"):
                return self._factory(node.child_by_field_name("block"), scope, depth)
            if name == "method":
                return self._method_object(node, scope, depth)
            return self._self_call(name, scope, depth)
        if name == "cache" and treeutil.text(node).replace(" ", "") in _STORES:
            return RType("Rails.cache", "store")
        if name == "new" and treeutil.constant_name(receiver) == "Proc":
            return self._factory(node.child_by_field_name("block"), scope, depth)
        recv = self.type_of(receiver, scope, depth)
        if recv is None:
            return self._association_by_name(name)
        if recv.kind == "collection" and name in _COUNTED and \
                node.child_by_field_name("arguments") is not None:
            return recv  # ``messages.last(10)``: the last ten, still a collection
        return self._method_result(recv, name, depth)

    def _association_by_name(self, name: str) -> RType | None:
        """``current_user.chats`` on a receiver nothing types: when every association of
        that name in the app's models returns the same model, it is that (low certainty)."""
        if self._targets_by_association is None:  # one pass, not one per untyped call
            by_name: dict[str, set[tuple[str, bool]]] = {}
            for (_owner, assoc), target in self.associations.items():
                by_name.setdefault(assoc, set()).add(target)
            self._targets_by_association = by_name
        found = self._targets_by_association.get(name, set())
        if len(found) != 1:
            return None
        (target,) = found
        return self._association(target).lowered()

    def _method_object(self, node: Node, scope: Scope, depth: int) -> RType | None:
        """``method(:build_chat)``: a factory of what ``build_chat`` returns."""
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        target = treeutil.string_value(first)
        if not target:
            return None
        produced = self._self_call(target, scope, depth)
        if produced is None or produced.kind == "factory":
            return None
        return RType(produced.owner, "factory", produced.app_class, produced.certainty,
                     of=produced)

    def _element(self, recv: RType) -> RType:
        if recv.app_class is not None and recv.app_class in self.records:
            return RType(recv.owner, "record", recv.app_class, recv.certainty)
        if recv.app_class is not None:
            return RType("instance", "app", recv.app_class, recv.certainty)
        return RType(recv.owner, certainty=recv.certainty)

    def _method_result(self, recv: RType, name: str, depth: int) -> RType | None:
        """The type ``recv.name`` returns, as far as the catalogue tells."""
        if recv.kind in ("external", "store"):
            return None
        if recv.kind == "foreign":
            return recv  # a library's object answers with the library's objects
        if recv.kind == "app":
            return self._app_result(recv, name, depth)
        if recv.kind == "factory":
            return recv.of if name in _FACTORY_CALLS else None
        if recv.kind == "collection":
            if name in _ELEMENT:
                return self._element(recv)
            if name in _SUBSET or (recv.app_class and self._is_scope(recv.app_class, name)):
                return recv  # ``chat.messages.visible``: a scope of the model narrows it
            return None
        if recv.kind == "module":
            return self._module_result(recv, name)
        if recv.kind == "record" and recv.app_class is not None:
            association = self.associations.get((recv.app_class, name))
            if association is not None:
                return self._association(association)
            if name in self.roles.messages_methods and recv.owner in self.chat_record_modules:
                model = self._message_model()
                if model is not None:  # acts_as_chat declares the messages association
                    return RType(self.records[model], "collection", model)
        sig = self._find(recv.owner, name, singleton=False)
        if name in self.roles.reply_reads and self.catalogue is not None and \
                self.catalogue.is_subclass(recv.owner, self.roles.message):
            return None  # a String for text-only replies, else Content or Hash: not sure
        if name in self.roles.messages_methods and recv.kind == "instance" and sig is not None:
            return RType(self.roles.message, "collection", certainty=recv.certainty)
        if sig is None:
            return self._unknown_step(recv, name)
        return self._from_hint(sig.returns, recv)

    def _app_result(self, recv: RType, name: str, depth: int) -> RType | None:
        """``Service.new(...)`` is a Service; ``service.call`` returns what Service#call does."""
        assert recv.app_class is not None
        singleton = recv.owner == "class"
        if singleton and name == "new":
            return RType("instance", "app", recv.app_class)
        method = self._app_method(recv.app_class, name, singleton)
        if method is not None:
            return self._method_return(method, depth)
        if singleton:
            if name in _FINDERS and self._is_model(recv.app_class):
                return RType("instance", "app", recv.app_class)  # ``Character.find(id)``
            if name in _SUBSET and self._is_model(recv.app_class):
                return RType("instance", "collection", recv.app_class)  # ``Message.where(...)``
        else:
            association = self.associations.get((recv.app_class, name))
            if association is not None:
                return self._association(association)
        return None

    def _is_model(self, cls: str) -> bool:
        """An ActiveRecord model: an ancestor of ``cls`` is a model base (once per class)."""
        found = self._model_memo.get(cls)
        if found is None:
            found = self._model_memo[cls] = bool(_MODEL_BASES & set(self.index.ancestors(cls)))
        return found

    def _message_model(self) -> str | None:
        """The app's acts_as_message model, when there is exactly one."""
        macro = self.roles.acts_as_macro("acts_as_message")
        modules = {macro.new, macro.legacy} if macro is not None else set()
        models = sorted(cls for cls, module in self.records.items() if module in modules)
        return models[0] if len(models) == 1 else None

    def _association(self, association: tuple[str, bool]) -> RType:
        model, many = association
        if model not in self.records:
            return RType("instance", "collection" if many else "app", model)
        module = self.records[model]
        return RType(module, "collection" if many else "record", model)

    def _unknown_step(self, recv: RType, name: str) -> RType | None:
        """A method the catalogue lacks on a chat: a builder from a newer release or a fork
        (``with_schema`` on a git-locked gem). Keep the chat, lower the certainty."""
        if name.startswith(("with_", "on_")) and (
                recv.owner in self.roles.chat_classes or recv.kind in ("record", "subclass")):
            return recv.lowered()
        return None

    def _module_result(self, recv: RType, name: str) -> RType | None:
        if recv.owner in self.roles.external_clients and name == "new":
            return RType(recv.owner, "external")
        if recv.app_class is not None:  # an app class tied to the gem
            if recv.app_class in self.records:
                if name in _FINDERS:
                    return RType(recv.owner, "record", recv.app_class)
                if name in _SUBSET:
                    return RType(recv.owner, "collection", recv.app_class)
                return None
            if recv.app_class in self.subclasses:
                return self._subclass_result(recv, name)
            return None
        if name == "new" and self._has_class(recv.owner):
            return RType(recv.owner)
        sig = self._find(recv.owner, name, singleton=True)
        return self._from_hint(sig.returns if sig else None, recv)

    def _subclass_result(self, recv: RType, name: str) -> RType | None:
        """``MyAgent.new`` is an agent; ``.create!``/``.find`` return its ``chat_model``
        record (Agent, 1.12+); other class methods follow the catalogue's hints."""
        assert recv.app_class is not None
        if name == "new":
            return RType(recv.owner, "subclass", recv.app_class)
        if name in ("create", "create!", "find"):
            model = self._chat_model_of(recv.app_class)
            return RType(self.records[model], "record", model) if model in self.records \
                else None
        sig = self._find(recv.owner, name, singleton=True)
        hint = sig.returns if sig is not None else None
        if hint and hint != "self" and self._has_class(hint):
            return RType(hint)
        return None

    def _chat_model_of(self, cls: str) -> str | None:
        for call in self.index.calls_named("chat_model"):
            if call.enclosing_class == cls and call.enclosing_method is None and call.args:
                name = treeutil.constant_name(call.args[0].node)
                if name:
                    return self.index.resolve_constant(name, cls)
        return None

    def _from_hint(self, hint: str | None, recv: RType) -> RType | None:
        if hint is None:
            return None
        if hint == "self":
            if recv.kind == "module":
                return RType(recv.owner, "instance", recv.app_class, recv.certainty)
            return recv
        if self._has_class(hint):
            return RType(hint, certainty=recv.certainty)
        return None

    def _find(self, owner: str, name: str, singleton: bool) -> MethodSig | None:
        if self.catalogue is None:
            return None
        key = (owner, name, singleton)  # the catalogue does not change during a run
        if key not in self._sig_memo:
            self._sig_memo[key] = self.catalogue.find_method(owner, name, singleton=singleton)
        return self._sig_memo[key]

    # -- block parameters ----------------------------------------------------------
    def _block_param_type(self, block: Node, position: int, scope: Scope,
                          depth: int) -> RType | None:
        call = treeutil.parent_of(block)
        if call is None or call.type != "call":
            return None
        name = treeutil.text(call.child_by_field_name("method"))
        recv_node = call.child_by_field_name("receiver")
        recv = self.type_of(recv_node, scope, depth) if recv_node is not None else \
            self.self_type(scope)
        if recv is None or position != 0:
            return None
        roles = self.roles
        if name in _ITERATORS:
            if recv.kind == "collection":
                return self._element(recv)
            if recv.kind == "instance" and recv.owner in roles.chat_classes:
                return RType(roles.message)  # Chat is Enumerable over its messages
            return None
        if recv.kind == "module" and recv.owner == "RubyLLM" and name == "configure":
            return RType(roles.configuration) if self._has_class(roles.configuration) else None
        if recv.kind in ("instance", "record", "subclass") and name in roles.streaming_methods:
            return RType(roles.chunk) if self._has_class(roles.chunk) else None
        if recv.kind in ("instance", "record") and name in roles.message_callbacks:
            return RType(roles.message)
        return None


#: How :meth:`ValueFlow.type_of` types each node type (a type not here is unknown).
_INFERRERS: dict[str, Callable[[ValueFlow, Node, Scope, int], RType | None]] = {
    "assignment": ValueFlow._right_side, "operator_assignment": ValueFlow._right_side,
    "constant": ValueFlow._constant_at, "scope_resolution": ValueFlow._constant_at,
    "self": ValueFlow._self_at,
    "identifier": ValueFlow._identifier,
    "instance_variable": ValueFlow._ivar_at,
    "call": ValueFlow._call,
    "lambda": ValueFlow._lambda_at,
    "element_reference": ValueFlow._element_reference,
    "conditional": ValueFlow._branches, "binary": ValueFlow._branches,
    "if": ValueFlow._statement_branches, "unless": ValueFlow._statement_branches,
    "case": ValueFlow._statement_branches,
    **dict.fromkeys(("parenthesized_statements", "begin", "body_statement", "block_body"),
                    ValueFlow._last_of),
}


# -- syntax helpers ------------------------------------------------------------------
_NOT_PASSED = object()


def param_slot(method: MethodDef, name: str) -> tuple[str, int, Node | None] | None:
    """(kind, positional index, default value node) of parameter ``name``."""
    params = method.node.child_by_field_name("parameters")
    if params is None:
        return None
    position = 0
    for child in params.named_children:
        t = child.type
        node_name = child if t == "identifier" else child.child_by_field_name("name")
        found = node_name is not None and treeutil.text(node_name) == name
        if t in ("identifier", "optional_parameter", "destructured_parameter"):
            if found:
                return ("positional", position, child.child_by_field_name("value"))
            position += 1
        elif t == "keyword_parameter" and found:
            return ("keyword", -1, child.child_by_field_name("value"))
        elif found:
            return None  # *rest, **opts, &block: not one value
    return None


def _argument_for(site: CallSite, kind: str, position: int, name: str) -> object:
    """The argument ``site`` passes for a parameter; ``_NOT_PASSED`` when it passes none;
    None when it cannot be told (a splat or ``...`` may hold it)."""
    if any(a.kind in ("forward",) for a in site.args):
        return None
    if kind == "keyword":
        arg = site.keyword(name)
        if arg is not None:
            return arg.value
        if any(a.kind == "double_splat" for a in site.args):
            return None
        return _NOT_PASSED
    positional = [a for a in site.args if a.kind in ("positional", "splat")]
    for i, arg in enumerate(positional):
        if arg.kind == "splat":
            return None
        if i == position:
            return arg.node
    return _NOT_PASSED


def _words_ending(text: str, word: str) -> Iterator[int]:
    """Where each whole-word ``word`` (``\\bword\\b``, for a word of word characters)
    ends in ``text``: a string search, twenty times quicker than the regular expression."""
    at = text.find(word)
    size = len(text)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not _is_word_char(text[at - 1])) and \
                (end == size or not _is_word_char(text[end])):
            yield end
        at = text.find(word, at + 1)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what ``\\w`` matches in a str pattern


def _last_statement(node: Node | None) -> Node | None:
    if node is None:
        return None
    named = [c for c in node.named_children if c.type not in ("comment", "rescue", "ensure",
                                                              "else", "heredoc_body")]
    return named[-1] if named else None


_PLAIN_CLIMB = 16  # levels an identifier climbs before the climb is memoised (_Binders)


class _Binders:
    """The nearest enclosing node of some kinds (blocks, lambdas) that binds a name, for
    every identifier of a run, with the climb above the innermost binder done once.

    The climb it replaces (``treeutil.block_binding``) went up to ``MAX_ANCESTORS`` parents
    from every identifier and decoded every enclosing binder's parameters on the way: on
    20,000 nested blocks, ten million steps. Here an identifier climbs only to its nearest
    binder or stop (a method, a class); above that, each binder's parameter names are
    decoded once and the binder a name resolves to is memoised per binder, so the work is
    linear in the binders. The answers are the climb's, its bound included: a binder more
    than ``MAX_ANCESTORS`` levels up is not seen, and reaching the bound is noted as the
    climb notes it.
    """

    def __init__(self, binders: frozenset[str], stops: frozenset[str],
                 positions: Callable[[Node], dict[str, int]],
                 kinds: Literal["blocks", "lambdas"]) -> None:
        self._kinds = kinds  # which binders of a _Region apply
        self._stop_tokens = tuple((stop, "def" if "method" in stop else stop)
                                  for stop in sorted(stops))
        self._inner_stops: dict[Node, list[tuple[int, int]]] = {}  # binder -> its stops
        self._stops = stops
        self._marks = binders | stops
        self._positions_of = positions
        self._positions: dict[Node, dict[str, int]] = {}  # binder -> name -> parameter index
        # node -> (the nearest binder or stop above, how many levels up)
        self._enclosing: dict[Node, tuple[Node | None, int]] = {}
        # (binder, name) -> (the nearest stop or binder of name above, how many levels up)
        self._resolved: dict[tuple[Node, str], tuple[Node | None, int]] = {}
        self._bound_noted = False

    def find(self, node: Node, name: str, region: _Region | None = None
             ) -> tuple[Node, int] | None:
        """The nearest binder above ``node`` (inside the same stop) whose parameters
        include ``name``, and the parameter's position; None when there is none.

        ``region``: the method (or file) around ``node``, when its binders and stops are
        known and no climb in it can reach the bound: the answer is then read off them."""
        if region is None or not region.holds(node):
            return self._climb(node, name)
        binders = region.blocks if self._kinds == "blocks" else region.lambdas
        if not binders.nodes:
            return None
        found: tuple[Node, int] | None = None
        for binder in binders.around(node):
            position = self._params(binder).get(name)
            if position is not None:
                found = binder, position
                break
        if found is None:
            return None
        start, end = node.start_byte, node.end_byte
        for stop_start, stop_end in self._stops_under(found[0]):  # one between hides it
            if stop_start <= start and end <= stop_end:
                return None
        return found

    def _stops_under(self, binder: Node) -> list[tuple[int, int]]:
        found = self._inner_stops.get(binder)
        if found is None:
            found = self._inner_stops[binder] = _stops_in(binder, self._stop_tokens)
        return found

    def _climb(self, node: Node, name: str) -> tuple[Node, int] | None:
        """:meth:`find` by climbing the parents (the climb's bound included)."""
        limit = treeutil.MAX_ANCESTORS
        mark, levels = self._nearest_mark(node)
        if mark is None:  # the root, with neither binder nor stop above
            if levels > limit:
                self._note_bound(node)
            return None
        hit: Node | None = mark
        if mark.type not in self._stops and name not in self._params(mark):
            hit, above = self._hit(mark, name)
            levels += above
        if hit is not None and levels <= limit:
            return None if hit.type in self._stops else (hit, self._params(hit)[name])
        if levels > limit:
            self._note_bound(node)
        return None

    def _nearest_mark(self, node: Node) -> tuple[Node | None, int]:
        """The nearest binder or stop above an identifier and how many levels up it is.
        Most are a few levels up: those climbs are not worth memoising; a longer one
        continues through the memoised climb (deep nesting without binders)."""
        marks = self._marks
        parent_of = treeutil.parent_of
        current = node
        for levels in range(1, _PLAIN_CLIMB + 1):
            parent = parent_of(current)
            if parent is None:
                return None, levels - 1
            if parent.type in marks:
                return parent, levels
            current = parent
        mark, more = self._mark_above(current)
        return mark, _PLAIN_CLIMB + more

    def _note_bound(self, node: Node) -> None:
        if not self._bound_noted:
            self._bound_noted = True
            for _ in treeutil.ancestors(node):  # the climb notes its bound for the run
                pass

    def _params(self, binder: Node) -> dict[str, int]:
        found = self._positions.get(binder)
        if found is None:
            found = self._positions[binder] = self._positions_of(binder)
        return found

    def _hit(self, node: Node, name: str) -> tuple[Node | None, int]:
        """The nearest stop, or binder of ``name``, above ``node`` and how many levels up it
        is (None and the number of ancestors when there is neither)."""
        resolved = self._resolved
        pending: list[tuple[tuple[Node, str], int]] = []  # and the levels to the next mark
        current = node
        while True:
            key = (current, name)
            known = resolved.get(key)
            if known is not None:
                hit, distance = known
                break
            above, levels = self._mark_above(current)
            pending.append((key, levels))
            if above is None or above.type in self._stops or name in self._params(above):
                hit, distance = above, 0
                break
            current = above
        for key, levels in reversed(pending):
            distance += levels
            resolved[key] = (hit, distance)
        return hit, distance

    def _mark_above(self, node: Node) -> tuple[Node | None, int]:
        """The nearest ancestor that is a binder or a stop, and how many levels up it is
        (None and the number of ancestors when there is none)."""
        enclosing = self._enclosing
        pending: list[Node] = []
        current = node
        while True:
            known = enclosing.get(current)
            if known is not None:
                mark, levels = known
                break
            pending.append(current)
            parent = treeutil.parent_of(current)
            if parent is None:
                mark, levels = None, -1  # ``current`` is the root: no ancestors
                break
            if parent.type in self._marks:
                mark, levels = parent, 0
                break
            current = parent
        for passed in reversed(pending):  # everything passed shares that mark, a level lower
            levels += 1
            enclosing[passed] = (mark, levels)
        return mark, levels


class _Region:
    """The blocks with parameters and the lambdas inside one method, or one file: the
    binders :class:`_Binders` climbs to, found from their tokens (``|``, ``->``) instead of
    by a climb from every identifier. A node's range holds its descendants' and siblings'
    ranges do not overlap, so for an identifier (at least a byte wide) in the region, the
    binders whose ranges hold it are exactly its ancestors among them; so are the stops
    (methods, classes, modules: ``def``, ``class``, ``module``) inside one of them.

    ``outside``: (start, end) of methods the region leaves out, sorted and disjoint (a
    file's region answers for the code outside its methods: no binder in a method holds
    any of it, so the tokens there are not looked up).
    """

    def __init__(self, top: Node, outside: list[tuple[int, int]] | None = None) -> None:
        self.top = top
        self._outside = outside or []
        self._outside_starts = [start for start, _ in self._outside]
        raw = top.text or b""
        blocks: list[Node] = []  # blocks and do_blocks with parameters
        if b"|" in raw:
            for params in self._nodes_at(raw, "block_parameters", "|"):
                block = treeutil.parent_of(params)
                if block is not None and block.type in ("block", "do_block") and \
                        block.child_by_field_name("parameters") == params:
                    blocks.append(block)
        self.blocks = _Nest(blocks)
        self._raw = raw
        self._lambdas: _Nest | None = None

    @property
    def lambdas(self) -> _Nest:
        """Found on first use: an identifier asks for them only when nothing else binds it."""
        if self._lambdas is None:
            raw = self._raw
            self._lambdas = _Nest(self._nodes_at(raw, "lambda", "->") if b"->" in raw else [])
        return self._lambdas

    def holds(self, node: Node) -> bool:
        """``node`` is inside the region (not in a method it leaves out), a byte wide or more."""
        start, end = node.start_byte, node.end_byte
        return self.top.start_byte <= start < end <= self.top.end_byte and \
            not (self._outside and self._left_out(start))

    def _left_out(self, byte: int) -> bool:
        at = bisect_right(self._outside_starts, byte) - 1
        return at >= 0 and byte < self._outside[at][1]

    def _nodes_at(self, raw: bytes, node_type: str, token: str) -> list[Node]:
        """:func:`treeutil.nodes_at_token` for one token, not looked up in the methods left
        out (in a tree with errors, every node of the type, as there)."""
        top = self.top
        if not self._outside or top.has_error:
            return treeutil.nodes_at_token(top, raw, node_type, token)
        word = token.encode()
        base = top.start_byte
        found: dict[int, Node] = {}
        at = raw.find(word)
        while at != -1:
            if not self._left_out(base + at):
                node = top.named_descendant_for_byte_range(base + at, base + at + len(word))
                if node is not None and node.type == node_type:
                    found[node.id] = node
            at = raw.find(word, at + 1)
        return list(found.values())


class _Nest:
    """Nodes of one tree (none empty) ordered by their ranges, each with the nearest of
    them around it: the ones around a node are found by a search and a short walk."""

    def __init__(self, nodes: list[Node]) -> None:
        self._parents: list[int] = []  # the index of the nearest one around each (-1: none)
        if not nodes:  # most methods have no block with parameters, no lambda
            self.nodes, self._starts, self._ends = nodes, [], []
            return
        self.nodes = sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))
        self._starts = [n.start_byte for n in self.nodes]
        self._ends = [n.end_byte for n in self.nodes]
        around: list[int] = []  # the ones around the current one, outermost first
        for i, end in enumerate(self._ends):
            while around and self._ends[around[-1]] < end:
                around.pop()
            self._parents.append(around[-1] if around else -1)
            around.append(i)

    def around(self, node: Node) -> Iterator[Node]:
        """The nodes whose ranges hold ``node``'s, innermost first."""
        start, end = node.start_byte, node.end_byte
        ends, parents = self._ends, self._parents
        at = bisect_right(self._starts, start) - 1  # the last one starting at or before it
        while at >= 0 and ends[at] < end:
            at = parents[at]
        while at >= 0:
            yield self.nodes[at]
            at = parents[at]


def _stops_in(binder: Node, kinds: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """(start, end) of the nodes of ``kinds`` ((node type, its keyword) pairs) under
    ``binder``."""
    raw = binder.text or b""
    return [(n.start_byte, n.end_byte) for kind, token in kinds if token.encode() in raw
            for n in treeutil.nodes_at_token(binder, raw, kind, token)]


def _parameter_positions(block: Node) -> dict[str, int]:
    """A block's parameter names (a parameter node's text, or its name) and their positions,
    the first position winning as in ``treeutil.block_binding``."""
    params = block.child_by_field_name("parameters")
    positions: dict[str, int] = {}
    if params is not None:
        for i, p in enumerate(params.named_children):
            positions.setdefault(treeutil.text(p), i)
            positions.setdefault(treeutil.text(p.child_by_field_name("name")), i)
    return positions


def _lambda_parameter_positions(lam: Node) -> dict[str, int]:
    """A lambda's parameters as written (``->(x) { }`` binds ``x``; ``->(x = 1)`` is not
    read as a plain name)."""
    params = lam.child_by_field_name("parameters")
    positions: dict[str, int] = {}
    if params is not None:
        for i, p in enumerate(params.named_children):
            positions.setdefault(treeutil.text(p), i)
    return positions


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _camelize(word: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in word.split("_"))
