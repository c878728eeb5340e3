"""Which RubyLLM type does an expression have? A small, precision-first type inference.

Rules check a call only when the receiver's type is *known*, so this module
answers ``None`` whenever it is not sure. Types come from:

- entry points: ``RubyLLM.chat(...)``, ``RubyLLM::Chat.new``, ``RubyLLM.embed`` ...;
- return hints of the catalogue (``with_*`` returns ``self``, ``ask`` a Message);
- locals (the latest assignment before the use), instance variables (every
  assignment in the class agrees, ``@chat ||= ...`` included), methods whose
  last expression has a type (``def chat = RubyLLM.chat``, private builders);
- block parameters of iteration over messages, streaming blocks, ``configure``;
- ActiveRecord models declaring ``acts_as_chat`` / ``acts_as_message``, whose
  gem methods live in the catalogue's Rails integration modules;
- app subclasses of gem classes (``class Helper < RubyLLM::Agent``);
- clients of other LLM libraries (``OpenAI::Client.new``), for bypass detection.

Nothing here walks a tree recursively; inference over nested expressions is
depth-limited so a pathological input yields ``None``, never a RecursionError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.index.model import CallSite, MethodDef

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.catalogue.model import Catalogue, MethodSig
    from rubygrade.index import Index
    from rubygrade.project import Project

_MAX_DEPTH = 40

TypeKind = Literal["instance", "module", "collection", "record", "subclass", "external"]

#: Clients of other LLM libraries; their instances are typed only to find bypass calls.
EXTERNAL_CLIENTS = {
    "OpenAI::Client": "ruby-openai", "OpenRouter::Client": "openrouter",
    "Openrouter::Client": "openrouter", "OpenRouterClient": "openrouter",
    "Anthropic::Client": "anthropic", "Gemini::Client": "gemini",
    "Ollama::Client": "ollama", "Groq::Client": "groq",
}

# Iteration methods whose block receives one element of the receiver.
_ITERATORS = {
    "each", "map", "collect", "flat_map", "filter_map", "select", "filter", "reject",
    "find", "detect", "each_with_index", "each_with_object", "sum", "count", "any?", "all?",
    "none?", "group_by", "sort_by", "min_by", "max_by", "partition", "reverse_each",
    "each_message", "index_by", "find_all",
}
# Collection methods returning one element / a sub-collection.
_ELEMENT = {"first", "last", "[]", "find", "detect", "sample", "at", "fetch", "dig"}
_SUBSET = {"select", "filter", "reject", "last", "first", "drop", "take", "reverse",
           "sort_by", "find_all", "compact", "to_a"}
# ActiveRecord class methods returning one record.
_FINDERS = {"find", "find_by", "find_by!", "create", "create!", "new", "first", "last",
            "find_or_create_by", "find_or_create_by!", "take", "build", "first!", "last!",
            "find_or_initialize_by", "sole", "find_sole_by"}
_RECORD_MODULES = {
    "acts_as_chat": ("RubyLLM::ActiveRecord::ChatMethods",
                     "RubyLLM::ActiveRecord::ChatLegacyMethods"),
    "acts_as_message": ("RubyLLM::ActiveRecord::MessageMethods",
                        "RubyLLM::ActiveRecord::MessageLegacyMethods"),
    "acts_as_tool_call": ("RubyLLM::ActiveRecord::ToolCallMethods",
                          "RubyLLM::ActiveRecord::ToolCallLegacyMethods"),
    "acts_as_model": ("RubyLLM::ActiveRecord::ModelMethods",
                      "RubyLLM::ActiveRecord::ModelMethods"),
}
_NEW_ACTS_AS = re.compile(r"use_new_acts_as\s*=\s*true")


@dataclass(frozen=True)
class RType:
    """A known type. ``owner`` is the catalogue class/module whose methods apply.

    - ``instance``: an instance of gem class ``owner`` (``RubyLLM::Chat``);
    - ``module``: the constant ``owner`` itself (``RubyLLM``, ``RubyLLM::Chat``);
    - ``collection``: an Array-like of ``owner`` instances (``chat.messages``);
    - ``record``: an instance of app model ``app_class`` that declares ``acts_as_*``;
      gem methods come from the Rails integration module ``owner``;
    - ``subclass``: an instance of app class ``app_class`` inheriting gem class ``owner``;
    - ``external``: a client of another LLM library (``owner`` is e.g. ``OpenAI::Client``).
    """

    owner: str
    kind: TypeKind = "instance"
    app_class: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "record":
            return f"{self.app_class} (ActiveRecord model with {self.owner.rsplit('::', 1)[-1]})"
        if self.kind == "subclass":
            return f"{self.app_class} (subclass of {self.owner})"
        if self.kind == "collection":
            return f"a collection of {self.owner}"
        return self.owner

    @property
    def is_rubyllm(self) -> bool:
        return self.kind != "external" and self.owner.startswith("RubyLLM")


@dataclass(frozen=True)
class Scope:
    """Where an expression sits: file, enclosing method, enclosing class."""

    path: str
    method: MethodDef | None
    cls: str | None


class TypeInference:
    """Per-run inference over the index; results are memoised per node."""

    def __init__(self, index: Index, catalogue: Catalogue | None,
                 new_acts_as: bool = False) -> None:
        self.index = index
        self.catalogue = catalogue
        self.new_acts_as = new_acts_as
        self._memo: dict[tuple[int, str], RType | None] = {}
        self._in_progress: set[tuple[int, str]] = set()
        self.records = self._record_classes()
        self.subclasses = self._gem_subclasses()
        self._method_memo: dict[str, RType | None] = {}

    # -- app classes tied to the gem -----------------------------------------------
    def _record_classes(self) -> dict[str, str]:
        """App model -> the catalogue module holding its gem methods (``acts_as_*``)."""
        out: dict[str, str] = {}
        for macro, (new_mod, legacy_mod) in _RECORD_MODULES.items():
            for call in self.index.calls_named(macro):
                if call.receiver is not None or call.enclosing_method is not None or \
                        not call.enclosing_class:
                    continue
                module = new_mod
                if not self.new_acts_as and self._has_class(legacy_mod):
                    module = legacy_mod
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

    # -- public API --------------------------------------------------------------
    def type_of(self, node: Node | None, scope: Scope, depth: int = 0) -> RType | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        key = (node.id, scope.path)
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:
            return None
        self._in_progress.add(key)
        try:
            result = self._infer(node, scope, depth + 1)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = result
        return result

    def self_type(self, scope: Scope) -> RType | None:
        """The type of ``self`` inside an instance method of an app class tied to the gem."""
        if scope.cls is None or (scope.method is not None and scope.method.singleton):
            return None
        if scope.method is None:
            return None
        if scope.cls in self.records:
            return RType(self.records[scope.cls], "record", scope.cls)
        if scope.cls in self.subclasses:
            return RType(self.subclasses[scope.cls], "subclass", scope.cls)
        return None

    # -- inference by node type ------------------------------------------------
    def _infer(self, node: Node, scope: Scope, depth: int) -> RType | None:
        t = node.type
        if t in ("parenthesized_statements", "begin", "body_statement", "block_body"):
            last = _last_statement(node)
            return self.type_of(last, scope, depth) if last is not None else None
        if t in ("assignment", "operator_assignment"):
            return self.type_of(node.child_by_field_name("right"), scope, depth)
        if t in ("constant", "scope_resolution"):
            return self._constant(node, scope)
        if t == "self":
            return self.self_type(scope)
        if t == "identifier":
            return self._identifier(node, scope, depth)
        if t == "instance_variable":
            return self._ivar(treeutil.text(node), scope, depth)
        if t == "call":
            return self._call(node, scope, depth)
        if t == "element_reference":
            recv = self.type_of(node.named_children[0] if node.named_children else None,
                                scope, depth)
            if recv is not None and recv.kind == "collection":
                return RType(recv.owner)
        return None

    def _constant(self, node: Node, scope: Scope) -> RType | None:
        name = treeutil.constant_name(node)
        if name is None:
            return None
        name = name.removeprefix("::")
        if name == "RubyLLM" or name.startswith("RubyLLM::"):
            return RType(name, "module")
        if name in EXTERNAL_CLIENTS:
            return RType(name, "module")
        resolved = self.index.resolve_constant(name, scope.cls)
        if resolved in self.records:
            return RType(self.records[resolved], "module", resolved)
        if resolved in self.subclasses:
            return RType(self.subclasses[resolved], "module", resolved)
        return None

    def _identifier(self, node: Node, scope: Scope, depth: int) -> RType | None:
        name = treeutil.text(node)
        param = _block_param(node, name)
        if param is not None:
            block, position = param
            return self._block_param_type(block, position, scope, depth)
        assignment = self._latest_local(name, node, scope)
        if assignment is not None:
            return self.type_of(assignment, scope, depth)
        if scope.method is not None and any(p.name == name for p in scope.method.params):
            return self._param_type(scope.method, name, depth)
        if _is_local_elsewhere(node, name):
            return None
        return self._self_call(name, scope, depth)

    def _latest_local(self, name: str, use: Node, scope: Scope) -> Node | None:
        best: Node | None = None
        for a in self.index.assignments_to("local", name):
            if a.path != scope.path or a.enclosing_method is not scope.method:
                continue
            if a.node.end_byte > use.start_byte or a.value is None:
                continue
            if best is None or a.node.start_byte > best.start_byte:
                best = a.node
        return best

    def _param_type(self, method: MethodDef, name: str, depth: int) -> RType | None:
        """A positional parameter of a private helper whose every caller, in the same
        class and without a receiver, passes a value of one known type (``stream(chat)``)."""
        if method.kind != "def" or method.visibility != "private" or not method.owner:
            return None
        positions = [i for i, p in enumerate(method.params) if p.kind in ("req", "opt")]
        index = next((i for i, p in enumerate(method.params) if p.name == name), None)
        if index is None or index not in positions:
            return None
        found: RType | None = None
        for call in self.index.calls_named(method.name):
            if call.enclosing_class != method.owner or call.bare or (
                    call.receiver is not None and call.receiver.type != "self"):
                continue
            args = call.args
            if any(a.kind in ("splat", "forward") for a in args):
                return None
            positional = [a for a in args if a.kind == "positional"]
            if index >= len(positional):
                return None
            typ = self.type_of(positional[index].node, Scope(
                call.path, call.enclosing_method, call.enclosing_class), depth)
            if typ is None or (found is not None and typ != found):
                return None
            found = typ
        return found

    def _ivar(self, name: str, scope: Scope, depth: int) -> RType | None:
        if scope.cls is None:
            return None
        found: RType | None = None
        for a in self.index.assignments_to("ivar", name):
            if a.enclosing_class != scope.cls or a.value is None:
                continue
            if a.value.type == "nil":
                continue
            value_scope = Scope(a.path, a.enclosing_method, a.enclosing_class)
            typ = self.type_of(a.value, value_scope, depth)
            if typ is None or (found is not None and typ != found):
                return None  # some assignment of unknown or different type: not sure
            found = typ
        return found

    def _self_call(self, name: str, scope: Scope, depth: int) -> RType | None:
        """A receiver-less call: an app method of this class, or a gem method of ``self``."""
        if scope.cls is None:
            return None
        for owner in self.index.ancestors(scope.cls):
            singleton = scope.method.singleton if scope.method is not None else True
            for method in self.index.methods_of(owner, singleton):
                if method.name == name and method.kind in ("def", "attr"):
                    return self._method_return(method, depth)
        me = self.self_type(scope)
        if me is not None:
            return self._method_result(me, name, depth)
        return None

    def _method_return(self, method: MethodDef, depth: int) -> RType | None:
        key = f"{method.path}:{method.line}:{method.key}"
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
        name = treeutil.text(node.child_by_field_name("method"))
        receiver = node.child_by_field_name("receiver")
        if receiver is None:
            return self._self_call(name, scope, depth)
        recv = self.type_of(receiver, scope, depth)
        if recv is None:
            return None
        return self._method_result(recv, name, depth)

    def _method_result(self, recv: RType, name: str, depth: int) -> RType | None:
        """The type ``recv.name`` returns, as far as the catalogue tells."""
        if recv.kind == "external":
            return None
        if recv.kind == "collection":
            if name in _ELEMENT:
                return RType(recv.owner)
            if name in _SUBSET:
                return recv
            return None
        if recv.kind == "module":
            if recv.owner in EXTERNAL_CLIENTS and name == "new":
                return RType(recv.owner, "external")
            if recv.app_class is not None:  # an app class tied to the gem
                if recv.app_class in self.records and name in _FINDERS:
                    return RType(recv.owner, "record", recv.app_class)
                if recv.app_class in self.subclasses:
                    return self._subclass_result(recv, name)
                return None
            if name == "new" and self._has_class(recv.owner):
                return RType(recv.owner)
            sig = self._find(recv.owner, name, singleton=True)
            return self._from_hint(sig.returns if sig else None, recv)
        sig = self._find(recv.owner, name, singleton=False)
        if name == "content" and self.catalogue is not None and \
                self.catalogue.is_subclass(recv.owner, "RubyLLM::Message"):
            return None  # a String for text-only replies, else Content or Hash: not sure
        if name == "messages" and recv.kind == "instance" and sig is not None:
            return RType("RubyLLM::Message", "collection")
        if sig is None:
            return None
        return self._from_hint(sig.returns, recv)

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
            return RType(recv.owner, "instance", recv.app_class) if recv.kind == "module" \
                else recv
        if self._has_class(hint):
            return RType(hint)
        return None

    def _find(self, owner: str, name: str, singleton: bool) -> MethodSig | None:
        if self.catalogue is None:
            return None
        return self.catalogue.find_method(owner, name, singleton=singleton)

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
        if recv is None:
            return None
        if position == 0 and name in _ITERATORS:
            if recv.kind == "collection":
                return RType(recv.owner)
            if recv.kind == "instance" and recv.owner == "RubyLLM::Chat":
                return RType("RubyLLM::Message")  # Chat is Enumerable over its messages
            return None
        if position != 0:
            return None
        if recv.kind == "module" and recv.owner == "RubyLLM" and name in ("configure",):
            return RType("RubyLLM::Configuration") if self._has_class(
                "RubyLLM::Configuration") else None
        if recv.kind in ("instance", "record", "subclass") and name in ("ask", "say", "complete"):
            return RType("RubyLLM::Chunk") if self._has_class("RubyLLM::Chunk") else None
        if recv.kind in ("instance", "record") and name in ("on_end_message", "after_message"):
            return RType("RubyLLM::Message")
        return None


# -- syntax helpers ------------------------------------------------------------------
def _last_statement(node: Node | None) -> Node | None:
    if node is None:
        return None
    named = [c for c in node.named_children if c.type not in ("comment", "rescue", "ensure",
                                                              "else")]
    return named[-1] if named else None


def _block_param(node: Node, name: str) -> tuple[Node, int] | None:
    """If ``name`` is a parameter of an enclosing block: (that block, parameter position)."""
    for anc in treeutil.ancestors(node):
        if anc.type in ("method", "singleton_method", "class", "module"):
            return None
        if anc.type not in ("block", "do_block"):
            continue
        params = anc.child_by_field_name("parameters")
        if params is None:
            continue
        for i, p in enumerate(params.named_children):
            if treeutil.text(p) == name or treeutil.text(p.child_by_field_name("name")) == name:
                return anc, i
    return None


def _is_local_elsewhere(node: Node, name: str) -> bool:
    """True for an identifier tree-sitter or Ruby treats as a local (e.g. a lambda param)."""
    for anc in treeutil.ancestors(node):
        if anc.type in ("method", "singleton_method"):
            return False
        if anc.type == "lambda":
            params = anc.child_by_field_name("parameters")
            if params is not None and any(treeutil.text(p) == name
                                          for p in params.named_children):
                return True
    return False


def uses_new_acts_as(project: Project) -> bool:
    """``config.use_new_acts_as = true``: the 1.7+ Rails integration modules apply."""
    for path, source in project.files.items():
        if source.kind == "ruby" and "config/" in path and "use_new_acts_as" in source.text:
            if _NEW_ACTS_AS.search(source.text):
                return True
    return False


def scope_of_call(call: CallSite) -> Scope:
    return Scope(call.path, call.enclosing_method, call.enclosing_class)


class ValueFlow(TypeInference):
    """The run's value analysis, built from the facts."""

    def __init__(self, facts: Facts) -> None:
        super().__init__(facts.index, facts.catalogue, uses_new_acts_as(facts.project))

    def type_at(self, node: Node | None, where: Scope | CallSite) -> RType | None:
        """The type of ``node`` (None: unknown). ``where`` is a Scope or the CallSite that
        contains ``node`` (e.g. ``values.type_at(call.receiver, call)``)."""
        scope = where if isinstance(where, Scope) else scope_of_call(where)
        return self.type_of(node, scope)

    def receiver_type(self, call: CallSite) -> RType | None:
        """The type of ``call``'s receiver (``self`` for a receiver-less call)."""
        scope = scope_of_call(call)
        if call.receiver is None:
            return self.self_type(scope)
        return self.type_of(call.receiver, scope)
