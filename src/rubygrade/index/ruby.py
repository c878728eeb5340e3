"""One iterative pass over a Ruby tree that records classes, methods, calls, writes and rescues.

The walk carries a small context down the tree (lexical class scope, enclosing
method, the rescue clauses that guard this region, the locals seen so far), so
every fact is attributed in O(1) without climbing back up: a 20,000-level
nested expression costs one stack entry per level and no recursion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import field
from functools import cache
from types import MethodType

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import (
    Arg,
    ArgKind,
    Assignment,
    CallSite,
    ClassDef,
    MethodDef,
    Param,
    RescueClause,
    Visibility,
)
from rubygrade.models import Diagnostic

_PARAM_KINDS = {
    "identifier": "req",
    "optional_parameter": "opt",
    "splat_parameter": "rest",
    "keyword_parameter": "key",  # "keyreq" when it has no value
    "hash_splat_parameter": "keyrest",
    "block_parameter": "block",
    "forward_parameter": "forward",
    "hash_splat_nil": "nokey",
    "destructured_parameter": "req",
}
_ANON = {"rest": "*", "keyrest": "**", "block": "&", "forward": "...", "nokey": "**nil"}

TEST_BLOCK_METHODS = {"test", "it", "specify", "scenario", "example"}
SETUP_BLOCK_METHODS = {"setup", "before", "teardown", "after", "let", "let!", "subject"}
_BLOCK_METHODS = frozenset(TEST_BLOCK_METHODS | SETUP_BLOCK_METHODS)
_GUARDING = frozenset({"rescue_modifier", "begin", "body_statement"})  # see _guards_for
_UNGUARDED = frozenset({"rescue", "else", "ensure"})  # clauses of a guarding body: not guarded
# Innermost rescue regions kept per fact. Real code nests a handful; a hostile file nesting
# 20,000 ``begin/rescue`` blocks would otherwise hold a 20,000-long tuple per level (GBs).
MAX_RESCUE_NESTING = 100
# Class/module bodies nested deeper than this are indexed as part of the deepest one (with a
# diagnostic): real code nests a handful, and every level's name holds all enclosing names.
MAX_CLASS_NESTING = 100
VISIBILITY_WORDS = {"private", "protected", "public", "module_function"}
#: Class-body macros whose block or lambda runs when Rails calls back (a record is saved,
#: an action runs, a job performs).
CALLBACK_MACRO = re.compile(r"^(?:before|after|around)_\w+$|^(?:after|before)_(?:create|update|"
                            r"save|destroy|commit)_commit$")
#: Class-body macros that name methods Rails calls from a view (see ``FileFacts.macros``).
HELPER_MACROS = frozenset({"helper_method"})
# Every name CALLBACK_MACRO or HELPER_MACROS matches starts with one of these: a cheap test
# that spares the regex nearly every class-body call.
_MACRO_PREFIXES = ("before_", "after_", "around_", *HELPER_MACROS)
_NOT_EXPRESSION_PARENTS = {
    "method", "singleton_method", "method_parameters", "block_parameters", "lambda_parameters",
    "optional_parameter", "keyword_parameter", "splat_parameter", "hash_splat_parameter",
    "block_parameter", "destructured_parameter", "exception_variable", "alias", "undef",
    "left_assignment_list", "destructured_left_assignment", "rest_assignment",
}
_ASSIGN_TARGETS = {
    "identifier": "local", "instance_variable": "ivar", "class_variable": "cvar",
    "global_variable": "global", "constant": "constant", "scope_resolution": "constant",
}


def _text(node: Node) -> str:
    """:func:`treeutil.text` of a node known to exist, for the handlers run on most nodes."""
    return (node.text or b"").decode("utf-8", "replace")


def _field_id(name: str) -> int:
    field_id = treeutil.RUBY.field_id_for_name(name)
    assert field_id is not None, name
    return field_id


# Field ids of the Ruby grammar: ``child_by_field_id`` is ``child_by_field_name`` without
# the name lookup, and the hot handlers ask for several fields of every call.
_ARGUMENTS, _BLOCK, _BODY, _KEY, _LEFT, _METHOD, _NAME, _OPERATOR, _PARAMETERS, _RECEIVER, \
    _RIGHT, _VALUE = (_field_id(name) for name in (
        "arguments", "block", "body", "key", "left", "method", "name", "operator", "parameters",
        "receiver", "right", "value"))


def _ids_by_kind() -> dict[str, tuple[int, ...]]:
    language = treeutil.RUBY
    ids: dict[str, list[int]] = {}
    for kind_id in range(language.node_kind_count):
        ids.setdefault(language.node_kind_for_id(kind_id) or "", []).append(kind_id)
    return {kind: tuple(found) for kind, found in ids.items()}


#: Node type -> its kind ids in the Ruby grammar (``Node.kind_id`` is the number behind
#: ``Node.type``; a name can have a named and an anonymous id).
_KIND_IDS = _ids_by_kind()


def kind_ids(types: Collection[str]) -> frozenset[int]:
    """The kind ids of these node types in the Ruby grammar (``Node.kind_id``: an int,
    cheaper to read and test than the string ``Node.type`` builds on each access)."""
    return frozenset(kind_id for kind in types for kind_id in _KIND_IDS.get(kind, ()))


# The walk tests every node's kind against these: an int is cheaper to get and hash than
# the fresh string ``Node.type`` builds on each access.
_GUARDING_IDS = kind_ids(_GUARDING)
# Parents that tell an identifier's role (see RubyIndexer._identifier).
_METHOD_IDS = kind_ids(("method", "singleton_method"))
_NOT_EXPRESSION_PARENT_IDS = kind_ids(_NOT_EXPRESSION_PARENTS)
_ASSIGNMENT_IDS = kind_ids(("assignment", "operator_assignment"))
_KEYED_IDS = kind_ids(("pair", "keyword_parameter"))
_STATEMENT_LIST_IDS = kind_ids(("body_statement", "class", "module"))
_UNGUARDED_IDS = kind_ids(_UNGUARDED)
_RESCUE_IDS = kind_ids(("rescue",))
CONSTANT_IDS = kind_ids(("constant",))
_CONSTANT_REFERENCE_IDS = CONSTANT_IDS | kind_ids(("scope_resolution",))


@dataclass
class _Scope:
    """A class/module body (or ``class << self`` inside one)."""

    name: str
    singleton: bool = False
    visibility: Visibility = "public"
    module_function: bool = False
    cls: ClassDef | None = None  # the class body's fact (None at the top level)
    depth: int = 0  # class/module bodies around this one


@dataclass
class _Ctx:
    scope: _Scope
    method: MethodDef | None = None
    rescues: tuple[RescueClause, ...] = ()
    locals: set[str] = field(default_factory=set)


@dataclass
class FileFacts:
    classes: list[ClassDef] = field(default_factory=list)
    methods: list[MethodDef] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    #: Calls with no receiver outside any method named as a callback macro
    #: (``after_create_commit``, ``before_action``) or a helper macro (``helper_method``),
    #: in index order: the call graph and the entry points read these few instead of
    #: passing over every call of the app.
    macros: list[CallSite] = field(default_factory=list)
    #: Calls on a constant (``ReplyJob.perform_later``, ``Api::Client.new``), in index order:
    #: a pass that asks only about these would otherwise read every call's receiver node.
    calls_on_constants: list[CallSite] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # where the indexer bounded itself


def parse_params(params_node: Node | None) -> tuple[Param, ...]:
    if params_node is None:
        return ()
    out: list[Param] = []
    for child in params_node.named_children:
        kind = _PARAM_KINDS.get(child.type)
        if kind is None:
            continue
        name_node = child.child_by_field_id(_NAME)
        if child.type == "identifier":
            name = treeutil.text(child)
        elif child.type == "destructured_parameter":
            name = treeutil.text(child)
        else:
            name = treeutil.text(name_node) if name_node is not None else _ANON.get(kind, "")
        if kind == "key" and child.child_by_field_id(_VALUE) is None:
            kind = "keyreq"
        out.append(Param(kind=kind, name=name))  # type: ignore[arg-type]
    return tuple(out)


def _rescue_clauses(container: Node, path: str, scope: str) -> tuple[RescueClause, ...]:
    clauses = []
    for child in container.children:
        if child.type != "rescue":
            continue
        names: list[str] = []
        dynamic = False
        exceptions = child.child_by_field_name("exceptions")
        for exc in exceptions.named_children if exceptions is not None else []:
            name = treeutil.constant_name(exc)
            if name is None:
                dynamic = True
            else:
                names.append(name.removeprefix("::"))
        variable = child.child_by_field_name("variable")
        var_name = treeutil.text(variable.named_children[0]) if variable is not None and \
            variable.named_children else None
        clauses.append(RescueClause(path=path, line=treeutil.line_of(child),
                                    exceptions=tuple(names), variable=var_name,
                                    scope=scope, node=child, dynamic=dynamic))  # type: ignore[arg-type]
    return tuple(clauses)


# Argument node type -> Arg kind (anything else is positional; None: not an argument, as a
# heredoc's body is part of its ``<<~X`` opener).
_ARG_KINDS: dict[str, ArgKind | None] = {
    "pair": "keyword", "hash_splat_argument": "double_splat", "splat_argument": "splat",
    "block_argument": "block_pass", "forward_argument": "forward",
    "comment": None, "heredoc_body": None,
}
_ARG_KINDS_BY_ID = {kind_id: kind for name, kind in _ARG_KINDS.items()
                    for kind_id in _KIND_IDS.get(name, ())}
_HASH_KEY_SYMBOL_IDS = kind_ids(("hash_key_symbol",))
_LITERAL_KEY_IDS = kind_ids(("simple_symbol", "string"))


def _walked(children: list[Node], child: Node | None) -> Node | None:
    """``child``, a new Node object from a field lookup, as the equal object in ``children``
    (its parent's ``Node.children``, the list the walk descends through).

    tree-sitter caches a node's children on its Python object: a fact holding the walk's
    object shares the nodes the walk builds below it (a call's arguments are read here and
    walked next) instead of building every one of them a second time."""
    if child is not None:
        for candidate in children:
            if candidate == child:
                return candidate
    return child


def _args(arg_list: Node | None) -> tuple[Arg, ...]:
    if arg_list is None:
        return ()
    # Built positionally: every call site's arguments pass through here, and keyword
    # arguments cost a dataclass ``__init__`` twice as much.
    out: list[Arg] = []
    for child in arg_list.named_children:
        kind = _ARG_KINDS_BY_ID.get(child.kind_id, "positional")
        if kind == "keyword":
            out.append(Arg("keyword", child, _keyword_name(child)))
        elif kind is not None:
            out.append(Arg(kind, child))
    return tuple(out)


def _keyword_name(pair: Node) -> str | None:
    """``role:``, ``:role =>`` or ``"role" =>``: the key's name (None: a computed key)."""
    key = pair.child_by_field_id(_KEY)
    if key is None:
        return None
    key_kind = key.kind_id
    if key_kind in _HASH_KEY_SYMBOL_IDS:
        return _text(key)
    if key_kind in _LITERAL_KEY_IDS:
        return treeutil.string_value(key)
    return None


class RubyIndexer:
    """Index one file's Ruby tree. ``path`` is the repo-relative path used in every fact."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.facts = FileFacts()
        # ``Node.id`` of every call's method name: the call's handler has the node at hand,
        # and the identifier it is need not look it up again (nodes of one tree are equal
        # exactly when their ids are).
        self._call_methods: set[int] = set()

    def index(self, root: Node) -> FileFacts:
        """Index the tree in one iterative pass.

        Each node's parent travels on the stack: tree-sitter's ``Node.parent`` searches
        down from the root, so calling it per node is quadratic in nesting depth. Only the
        node types that carry facts reach a handler; the rest just have their children
        visited.

        The stack holds one frame per node whose children are being visited (an iterator
        over them, their context, their parent, their depth), not one entry per child:
        leaves, about half of all nodes, then cost one loop step and no tuple.
        """
        top = _Ctx(scope=_Scope(name=""))
        # (children left to visit, their context, the context of the guarded ones among them
        # (None: no rescue region starts here), their parent, their depth)
        frames: list[tuple[Iterator[Node], _Ctx, _Ctx | None, Node | None, int]] = [
            (iter((root,)), top, None, None, 0)]
        push, pop = frames.append, frames.pop
        handlers = _handlers_by_kind()
        deep = treeutil.DEEP_NODE
        remember = treeutil.remember_parent
        while frames:
            children, ctx, guarded, parent, depth = frames[-1]
            for node in children:
                kind = node.kind_id
                node_ctx = ctx if guarded is None or kind in _UNGUARDED_IDS else guarded
                handler = handlers.get(kind)
                child_ctx = node_ctx if handler is None else handler(self, node, node_ctx, parent)
                # A leaf (a third of the nodes that reach here) is told by its count: asking
                # for its ``named_children`` builds two empty lists, one of them kept on the
                # node for as long as a fact holds it.
                if child_ctx is None or not node.named_child_count:
                    continue
                # Named children only: anonymous nodes are keyword/punctuation leaves that carry
                # no facts (the ``class`` keyword token would otherwise pass for a class), and
                # skipping them is ~3x cheaper on large apps.
                grandchildren = node.named_children
                if depth >= deep:  # the children will be deeper than DEEP_NODE
                    for child in grandchildren:
                        remember(child, node)
                push((iter(grandchildren), child_ctx,
                      self._guarded(node, parent, child_ctx) if kind in _GUARDING_IDS else None,
                      node, depth + 1))
                break
            else:
                pop()
        return self.facts

    def _guarded(self, node: Node, parent: Node | None, ctx: _Ctx) -> _Ctx | None:
        """The context of the children that the rescue clauses of ``node`` guard (None when
        it has none)."""
        guards = self._guards_for(node, parent)
        if not guards:
            return None
        rescues = guards + ctx.rescues
        if len(rescues) > MAX_RESCUE_NESTING:
            rescues = rescues[:MAX_RESCUE_NESTING]
            treeutil.note_limit(
                f"rescue clauses nested more than {MAX_RESCUE_NESTING} deep: each "
                f"call keeps the {MAX_RESCUE_NESTING} innermost")
        return _Ctx(scope=ctx.scope, method=ctx.method, rescues=rescues, locals=ctx.locals)

    def _handlers(self) -> dict[str, Callable[[Node, _Ctx, Node | None], _Ctx | None]]:
        """Node type -> handler that records its facts and returns the context for its
        children (None: skip them)."""
        return {kind: MethodType(function, self) for kind, function in _HANDLERS.items()}

    # -- rescue regions --------------------------------------------------------
    def _guards_for(self, node: Node, parent: Node | None) -> tuple[RescueClause, ...]:
        if node.type == "rescue_modifier":
            return (RescueClause(path=self.path, line=treeutil.line_of(node), exceptions=(),
                                 variable=None, scope="modifier", node=node),)
        if node.type not in ("begin", "body_statement"):
            return ()
        for child in node.children:  # a plain loop, not any(): this runs for every body
            if child.kind_id in _RESCUE_IDS:
                break
        else:
            return ()
        ptype = parent.type if parent is not None else ""
        scope = {"method": "method", "singleton_method": "method", "do_block": "block",
                 "block": "block", "class": "class", "module": "class"}.get(ptype, "begin")
        if node.type == "begin":
            scope = "begin"
        return _rescue_clauses(node, self.path, scope)

    # -- visiting ----------------------------------------------------------------
    def _visit(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx | None:
        """Record facts for ``node``; return the context for its children (None: skip them)."""
        handler = self._handlers().get(node.type)
        return ctx if handler is None else handler(node, ctx, parent)

    def _singleton_class(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx:
        return _Ctx(scope=_Scope(name=ctx.scope.name, singleton=True, cls=ctx.scope.cls,
                                 depth=ctx.scope.depth), method=ctx.method)

    def _block_parameters(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx:
        for p in parse_params(node):
            ctx.locals.add(p.name)
        return ctx

    def _class(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx:
        if ctx.scope.depth >= MAX_CLASS_NESTING:
            # Each level's full name holds every enclosing name: 40,000 nested modules would
            # be 40,000 names of up to 40,000 parts (GBs). Deeper bodies count as the last one.
            if not self.facts.notes:
                self.facts.notes.append(Diagnostic(
                    kind="limit", path=self.path, line=treeutil.line_of(node),
                    message=f"classes and modules nested more than {MAX_CLASS_NESTING} deep "
                            f"are indexed as part of the {MAX_CLASS_NESTING}th"))
            return _Ctx(scope=ctx.scope)
        name = treeutil.constant_name(node.child_by_field_name("name")) or "?"
        full = f"{ctx.scope.name}::{name}" if ctx.scope.name and not name.startswith("::") \
            else name.removeprefix("::")
        superclass_node = node.child_by_field_name("superclass")
        superclass = None
        if superclass_node is not None and superclass_node.named_children:
            superclass = treeutil.constant_name(superclass_node.named_children[0]) or \
                treeutil.text(superclass_node.named_children[0])
        cls = ClassDef(
            name=full, kind="class" if node.type == "class" else "module",
            superclass=superclass, path=self.path, line=treeutil.line_of(node),
            end_line=treeutil.end_line_of(node), node=node)
        self.facts.classes.append(cls)
        return _Ctx(scope=_Scope(name=full, cls=cls, depth=ctx.scope.depth + 1))

    def _class_new(self, target: Node, value: Node | None, ctx: _Ctx) -> None:
        """``Error = Class.new(StandardError)`` defines a class as surely as ``class Error <
        StandardError; end``: index it as one (no methods, its superclass as written)."""
        if value is None or value.type != "call" or \
                treeutil.text(value.child_by_field_name("receiver")) != "Class" or \
                treeutil.text(value.child_by_field_name("method")) != "new":
            return
        name = treeutil.constant_name(target)
        if name is None:
            return
        args = value.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        full = f"{ctx.scope.name}::{name}" if ctx.scope.name and not name.startswith("::") \
            else name.removeprefix("::")
        self.facts.classes.append(ClassDef(
            name=full, kind="class", superclass=treeutil.constant_name(first),
            path=self.path, line=treeutil.line_of(target),
            end_line=treeutil.end_line_of(value), node=value))

    def _current_class(self, ctx: _Ctx) -> ClassDef | None:
        """The class body the context is in (None at the top level)."""
        return ctx.scope.cls

    def _method(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx:
        scope = ctx.scope
        singleton = scope.singleton or node.type == "singleton_method"
        params = parse_params(node.child_by_field_id(_PARAMETERS))
        visibility: Visibility = scope.visibility
        if parent is not None and parent.type == "argument_list":
            caller = parent.parent
            word = treeutil.text(caller.child_by_field_name("method")) if caller else ""
            if word in ("private", "protected", "public"):
                visibility = word  # type: ignore[assignment]
        body = node.child_by_field_id(_BODY)
        rescues = _rescue_clauses(body, self.path, "method") if body is not None and \
            body.type == "body_statement" else ()
        method = MethodDef(
            name=treeutil.text(node.child_by_field_id(_NAME)), owner=scope.name,
            singleton=singleton, params=params,
            visibility="public" if singleton and visibility != "public" and
            node.type == "singleton_method" else visibility,
            path=self.path, line=treeutil.line_of(node), end_line=treeutil.end_line_of(node),
            node=node, rescues=rescues)
        self.facts.methods.append(method)
        if scope.module_function and not singleton:
            self.facts.methods.append(MethodDef(
                name=method.name, owner=scope.name, singleton=True, params=params,
                visibility="public", path=self.path, line=method.line, end_line=method.end_line,
                node=node, rescues=rescues))
        return _Ctx(scope=scope, method=method, rescues=(), locals={p.name for p in params})

    def _call(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx:
        method_node = node.child_by_field_id(_METHOD)
        children = node.children
        receiver = _walked(children, node.child_by_field_id(_RECEIVER))
        if method_node is None:
            name = "call"
        else:
            name = _text(method_node)
            self._call_methods.add(method_node.id)
        row, column = node.start_point
        # Positional: this runs for every call of the app, and keyword arguments cost the
        # dataclass ``__init__`` twice as much. The order is CallSite's field order.
        call = CallSite(
            self.path, row + 1, column + 1, name, receiver,
            _args(_walked(children, node.child_by_field_id(_ARGUMENTS))),
            _walked(children, node.child_by_field_id(_BLOCK)), node,
            ctx.method, ctx.scope.name or None, ctx.rescues)
        self.facts.calls.append(call)
        if receiver is None:
            if ctx.method is None:
                return self._class_body_macro(call, ctx)
        elif receiver.kind_id in _CONSTANT_REFERENCE_IDS:
            self.facts.calls_on_constants.append(call)
        return ctx

    def _class_body_macro(self, call: CallSite, ctx: _Ctx) -> _Ctx:
        """Calls at class-body level: visibility, include/extend, attr_*, test blocks."""
        name = call.method
        if name.startswith(_MACRO_PREFIXES) and \
                (name in HELPER_MACROS or CALLBACK_MACRO.match(name)):
            self.facts.macros.append(call)
        scope = ctx.scope
        cls = self._current_class(ctx)
        if name in ("private", "protected", "public") and call.args:
            for arg in call.args:
                target = treeutil.string_value(arg.node)
                if target:
                    for m in self.facts.methods:
                        if m.name == target and m.owner == scope.name and not m.singleton:
                            m.visibility = name  # type: ignore[assignment]
        elif name == "private_class_method":
            for arg in call.args:
                target = treeutil.string_value(arg.node)
                for m in self.facts.methods:
                    if m.name == target and m.owner == scope.name and m.singleton:
                        m.visibility = "private"
        elif name == "module_function" and not call.args:
            scope.module_function = True
        elif name in ("include", "extend", "prepend") and cls is not None:
            for arg in call.args:
                const = treeutil.constant_name(arg.node)
                if const:
                    (cls.extends if name == "extend" else cls.includes).append(const)
        elif name in ("attr_reader", "attr_writer", "attr_accessor"):
            self._attrs(call, ctx)
        elif name in _BLOCK_METHODS and call.block is not None:
            label = treeutil.string_value(call.args[0].node) if call.args else None
            test = MethodDef(
                name=f"{name}: {label}" if label else name, owner=scope.name, singleton=False,
                params=(), visibility="public", path=self.path, line=call.line,
                end_line=call.end_line, node=call.node,
                kind="test" if name in TEST_BLOCK_METHODS else "block")
            self.facts.methods.append(test)
            return _Ctx(scope=scope, method=test, rescues=(), locals=set())
        return ctx

    def _attrs(self, call: CallSite, ctx: _Ctx) -> None:
        for arg in call.args:
            attr = treeutil.string_value(arg.node)
            if not attr:
                continue
            names: list[tuple[str, tuple[Param, ...]]] = []
            if call.method in ("attr_reader", "attr_accessor"):
                names.append((attr, ()))
            if call.method in ("attr_writer", "attr_accessor"):
                names.append((attr + "=", (Param("req", "value"),)))
            for method_name, params in names:
                self.facts.methods.append(MethodDef(
                    name=method_name, owner=ctx.scope.name, singleton=ctx.scope.singleton,
                    params=params, visibility=ctx.scope.visibility, path=self.path,
                    line=call.line, end_line=call.line, node=call.node, kind="attr"))

    def _identifier(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> None:
        """A lone identifier is a local variable or a call without arguments (``build_chat``)."""
        if parent is None or node.id in self._call_methods:  # a call's method name
            return
        # The parent's shape first (no text decoded), then the name.
        parent_kind = parent.kind_id
        if parent_kind in _METHOD_IDS:
            if parent.child_by_field_id(_BODY) != node:  # the name, not an endless body
                return
        elif parent_kind in _NOT_EXPRESSION_PARENT_IDS:
            return
        elif parent_kind in _ASSIGNMENT_IDS:
            if parent.child_by_field_id(_LEFT) == node:
                return
        elif parent_kind in _KEYED_IDS:
            if parent.child_by_field_id(_KEY) == node:
                return
        name = _text(node)
        if name in ctx.locals:
            return
        if parent_kind in _STATEMENT_LIST_IDS and name in VISIBILITY_WORDS and ctx.method is None:
            self._visibility_word(name, ctx)
            return
        row, column = node.start_point
        self.facts.calls.append(CallSite(  # positional, as in _call; bare=True
            self.path, row + 1, column + 1, name, None, (), None, node,
            ctx.method, ctx.scope.name or None, ctx.rescues, True))

    def _visibility_word(self, word: str, ctx: _Ctx) -> None:
        if word == "module_function":
            ctx.scope.module_function = True
        else:
            ctx.scope.visibility = word  # type: ignore[assignment]

    def _assignment(self, node: Node, ctx: _Ctx, parent: Node | None = None) -> _Ctx:
        left = node.child_by_field_id(_LEFT)
        right = node.child_by_field_id(_RIGHT)
        operator = "="
        if node.type == "operator_assignment" and len(node.children) >= 2:
            operator = treeutil.text(node.children[1])
        targets = left.named_children if left is not None and \
            left.type == "left_assignment_list" else [left]
        for target in targets:
            if target is None:
                continue
            kind = _ASSIGN_TARGETS.get(target.type, "other")
            name = treeutil.text(target)
            if kind == "local":
                ctx.locals.add(name)
            class_level = ctx.method is None or ctx.method.singleton or ctx.scope.singleton
            if kind == "constant" and len(targets) == 1 and ctx.method is None:
                self._class_new(target, right, ctx)
            self.facts.assignments.append(Assignment(
                target=kind, name=name, operator=operator,  # type: ignore[arg-type]
                value=right if len(targets) == 1 else None, path=self.path,
                line=treeutil.line_of(node), node=node, enclosing_method=ctx.method,
                enclosing_class=ctx.scope.name or None, class_level=class_level))
        return ctx


_Handler = Callable[[RubyIndexer, Node, _Ctx, "Node | None"], "_Ctx | None"]
#: Node type -> the RubyIndexer method that records its facts and returns the context for
#: its children (None: skip them).
_HANDLERS: dict[str, _Handler] = {
    "class": RubyIndexer._class, "module": RubyIndexer._class,
    "singleton_class": RubyIndexer._singleton_class,
    "method": RubyIndexer._method, "singleton_method": RubyIndexer._method,
    "call": RubyIndexer._call,
    "assignment": RubyIndexer._assignment, "operator_assignment": RubyIndexer._assignment,
    "identifier": RubyIndexer._identifier,
    "block_parameters": RubyIndexer._block_parameters,
    "lambda_parameters": RubyIndexer._block_parameters,
}


@cache
def _handlers_by_kind() -> dict[int, _Handler]:
    """:data:`_HANDLERS` by kind id, the number the walk reads off each node."""
    return {kind_id: function for kind, function in _HANDLERS.items()
            for kind_id in _KIND_IDS.get(kind, ())}
