"""Prompts: where the text sent to a model is written in the code.

A *prompt sink* is an argument that becomes model input:

- the message of a chat turn (``ask``/``say`` on a RubyLLM chat, agent or acts_as_chat
  record, as the value flow types the receiver);
- the system prompt (``with_instructions``, ``with_runtime_instructions``);
- a replayed turn's ``content:`` (``add_message``);
- a keyword of ``RubyLLM.chat`` other than its settings (``model:``, ``provider:``...).

``Prompts.literals`` walks back from every sink and records each string literal or
heredoc with words in it that reaches the sink, and the method that holds it: where
the prompt is written. The walk follows locals (every write before the use, and
``<<``/``concat`` on them), instance variables of the class, constants, method
parameters (the arguments of the call sites the call graph resolves), method returns,
string building (interpolation, ``+``, ``<<``, ``format``, ``join``'s receiver,
``strip`` and the like), the blocks of ``map``-like calls, app objects' methods
(``PromptBuilder.new(x).build``) and model columns the app writes
(``plan.update(system_prompt: text)`` read back as the whole of a system prompt,
``with_instructions(plan.system_prompt)``; a column read as a turn holds the
conversation, not a prompt the app wrote). A default for the user's own message
(``params[:q] || "..."``) is not a prompt either. It never
decides by a word: a flash message or a comment that says "You are" reaches no sink.
It is depth-limited and memoised per node.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.values import Scope, ValueFlow, param_slot, scope_of_call
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import Assignment, CallSite, MethodDef
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.analysis.taint import Taint
    from rubygrade.callgraph import CallGraph

_MAX_DEPTH = 40
#: A literal counts as prompt text when it holds a word, not only punctuation or spaces.
_WORDS = lazy_compile(r"[A-Za-z]{2}")
#: ``RubyLLM.chat`` keywords that are settings, not text for the model.
_CHAT_SETTINGS = {"model", "provider", "assume_model_exists", "context"}
#: String methods whose result holds the receiver's text and their arguments' text.
_COMBINE = {"+", "<<", "concat", "prepend", "insert", "%", "gsub", "sub", "gsub!", "sub!",
            "tr", "center", "ljust", "rjust", "merge"}
#: String methods whose result holds the receiver's text only.
_TRANSFORM = {"strip", "squish", "chomp", "lstrip", "rstrip", "to_s", "to_str", "freeze",
              "dup", "downcase", "upcase", "capitalize", "html_safe", "presence", "truncate",
              "strip_heredoc", "squish!", "strip!", "join", "compact", "flatten", "first",
              "last", "encode", "force_encoding", "unicode_normalize", "chars", "lines",
              "reverse", "to_a", "values", "fetch", "dig", "[]", "then", "tap", "itself"}
#: Of those, the ones whose result is a piece of the receiver, not all of it.
_PIECES = {"first", "last", "fetch", "dig", "[]", "values", "chars", "lines", "to_a"}
#: Calls whose block's value is their result (``items.map { |i| "- #{i}" }``).
_BLOCK_VALUE = {"map", "collect", "flat_map", "filter_map", "each_with_object", "inject",
                "reduce", "sum", "then", "tap", "yield_self"}
#: Calls that write a model's columns from keywords.
_WRITES = ("create", "create!", "new", "build", "update", "update!", "assign_attributes",
           "update_columns", "update_column", "find_or_create_by", "find_or_create_by!",
           "find_or_initialize_by", "create_with", "insert", "upsert")
_MODEL_BASES = {"ApplicationRecord", "ActiveRecord::Base", "::ActiveRecord::Base"}

Site = tuple[str, int, int]  # (path, start byte, line) of a literal
_NONE: frozenset[Site] = frozenset()


@dataclass(frozen=True)
class PromptLiteral:
    """A string literal or heredoc that reaches a prompt sink."""

    path: str
    line: int
    method: str | None  # key of the method holding the literal (None: a class body, a file)
    owner: str  # the class or module around it ("" at the top level)
    sink: CallSite  # the call whose prompt argument it reaches


class Prompts:
    """Prompt sinks and the literals that reach them, for one run."""

    def __init__(self, facts: Facts, values: ValueFlow, graph: CallGraph, taint: Taint) -> None:
        self.project = facts.project
        self.taint = taint
        self.index = facts.index
        self.values = values
        self.graph = graph
        self.roles = values.roles
        self._memo: dict[tuple[int, str, bool], frozenset[Site]] = {}
        self._in_progress: set[tuple[int, str, bool]] = set()
        self._return_memo: dict[tuple[int, bool], frozenset[Site]] = {}
        self._field_memo: dict[tuple[str, str], frozenset[Site]] = {}
        self._heredocs: dict[str, dict[int, Node]] = {}
        self._appends: dict[int, dict[str, list[Node]]] = {}
        self._constants: dict[str, dict[str, tuple[int, Assignment]]] = {}

    # -- public ------------------------------------------------------------------------
    @cached_property
    def sinks(self) -> list[tuple[CallSite, Node]]:
        """Every (call, argument) whose text becomes model input."""
        roles = self.roles
        turn = roles.ask_sends
        found: list[tuple[CallSite, Node]] = []
        names = sorted(turn | roles.instruction_methods | roles.replay_methods |
                       roles.entry_module_methods)
        for call in self.index.calls_named(*names):
            if self.project.is_test(call.path):
                continue
            if call.method in roles.entry_module_methods:
                if call.receiver_constant not in ("RubyLLM", "::RubyLLM"):
                    continue
                found += [(call, a.value) for a in call.args
                          if a.kind == "keyword" and a.name not in _CHAT_SETTINGS]
                continue
            recv = self.values.receiver_type(call)
            if recv is None or not recv.is_rubyllm:
                continue
            if call.method in roles.replay_methods:
                found += [(call, node) for node in _content_args(call, roles.replay_content)]
            elif call.positional:
                found.append((call, call.positional[0].node))
        return found

    @cached_property
    def literals(self) -> list[PromptLiteral]:
        """Every literal that reaches a sink, once per (literal, sink call), in file order."""
        out: dict[tuple[str, int, int], PromptLiteral] = {}
        for call, arg in self.sinks:
            # A column read as the whole system prompt may hold one the app stored; a
            # column read as a turn holds the conversation (what users and the model wrote).
            system = call.method in self.roles.instruction_methods
            for path, start, line in sorted(self.sources(arg, scope_of_call(call), 0, system)):
                method = self.index.method_at(path, line)
                owner = method.owner if method is not None else self._class_at(path, line)
                key = (path, start, id(call))
                out.setdefault(key, PromptLiteral(path, line, method.key if method else None,
                                                  owner, call))
        return sorted(out.values(), key=lambda p: (p.path, p.line, p.sink.path, p.sink.line))

    def sources(self, node: Node | None, scope: Scope, depth: int = 0,
                whole: bool = True) -> frozenset[Site]:
        """The literals whose text reaches ``node``'s value. ``whole``: ``node`` is all of
        a system prompt (not a piece interpolated into a larger one), so a model column
        read there may hold a prompt the app stored."""
        if node is None or depth > _MAX_DEPTH:
            return _NONE
        key = (node.id, scope.path, whole)
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:
            return _NONE
        self._in_progress.add(key)
        try:
            result = self._infer(node, scope, depth + 1, whole)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = result
        return result

    # -- inference -----------------------------------------------------------------------
    def _infer(self, node: Node, scope: Scope, depth: int, whole: bool) -> frozenset[Site]:
        t = node.type
        if t == "string":
            return self._string(node, scope, depth)
        if t == "heredoc_beginning":
            return self._heredoc(node, scope, depth)
        if t == "chained_string":
            return self._union(node.named_children, scope, depth, False)
        if t in ("parenthesized_statements", "begin", "body_statement", "block_body", "then",
                 "else", "ensure"):
            last = _last(node)
            return self.sources(last, scope, depth, whole) if last is not None else _NONE
        if t in ("assignment", "operator_assignment"):
            return self.sources(node.child_by_field_name("right"), scope, depth,
                                whole and t == "assignment")
        if t in ("array", "argument_list"):
            return self._union(node.named_children, scope, depth, False)
        if t == "hash":
            return self._union([c.child_by_field_name("value") for c in node.named_children
                                if c.type == "pair"], scope, depth, False)
        if t == "pair":
            return self.sources(node.child_by_field_name("value"), scope, depth, whole)
        if t == "binary":
            return self._binary(node, scope, depth, whole)
        if t == "conditional":
            return self._union([node.child_by_field_name("consequence"),
                                node.child_by_field_name("alternative")], scope, depth, whole)
        if t in ("if", "unless", "elsif", "case", "when", "in_clause", "case_match"):
            skip = {c.id for c in (node.child_by_field_name("condition"),
                                   node.child_by_field_name("value"),
                                   node.child_by_field_name("pattern")) if c is not None}
            return self._union([c for c in node.named_children if c.id not in skip
                                and c.type != "pattern"], scope, depth, whole)
        if t == "identifier":
            return self._identifier(node, scope, depth, whole)
        if t == "instance_variable":
            return self._ivar(treeutil.text(node), scope, depth, whole)
        if t in ("constant", "scope_resolution"):
            return self._constant(node, scope, depth)
        if t == "element_reference":
            receiver = node.named_children[0] if node.named_children else None
            return self.sources(receiver, scope, depth, False)
        if t == "call":
            return self._call(node, scope, depth, whole)
        return _NONE

    def _union(self, nodes: Sequence[Node | None], scope: Scope, depth: int,
               whole: bool) -> frozenset[Site]:
        out: set[Site] = set()
        for child in nodes:
            if child is not None and child.type != "comment":
                out |= self.sources(child, scope, depth, whole)
        return frozenset(out)

    def _binary(self, node: Node, scope: Scope, depth: int, whole: bool) -> frozenset[Site]:
        operator = treeutil.text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator in ("||", "or"):
            if self.taint.from_request(left, scope):
                # ``params[:q] || "..."``: a default for the user's own message, not a prompt
                return self.sources(left, scope, depth, whole)
            return self._union([left, right], scope, depth, whole)
        if operator in ("+", "<<", "%"):
            return self._union([left, right], scope, depth, False)
        return _NONE

    def _string(self, node: Node, scope: Scope, depth: int) -> frozenset[Site]:
        out: set[Site] = set()
        if any(c.type == "string_content" and _WORDS.search(treeutil.text(c))
               for c in node.named_children):
            out.add(_site(node, scope))
        for child in node.named_children:
            if child.type == "interpolation":
                out |= self._union(child.named_children, scope, depth, False)
        return frozenset(out)

    def _heredoc(self, node: Node, scope: Scope, depth: int) -> frozenset[Site]:
        body = self._heredoc_body(node, scope.path)
        if body is None:
            return frozenset({_site(node, scope)})
        out: set[Site] = set()
        if any(c.type == "heredoc_content" and _WORDS.search(treeutil.text(c))
               for c in body.named_children):
            out.add(_site(node, scope))
        for child in body.named_children:
            if child.type == "interpolation":
                out |= self._union(child.named_children, scope, depth, False)
        return frozenset(out)

    def _heredoc_body(self, node: Node, path: str) -> Node | None:
        """Bodies follow their openers in order, so the n-th opener owns the n-th body."""
        if path not in self._heredocs:
            source = self.project.files.get(path)
            pairs: dict[int, Node] = {}
            if source is not None and source.root is not None and "<<" in source.text:
                openers: list[Node] = []
                bodies: list[Node] = []
                for n in treeutil.walk(source.root):  # one walk for both
                    if n.type == "heredoc_beginning":
                        openers.append(n)
                    elif n.type == "heredoc_body":
                        bodies.append(n)
                openers.sort(key=lambda n: n.start_byte)
                bodies.sort(key=lambda n: n.start_byte)
                pairs = {o.start_byte: b for o, b in zip(openers, bodies, strict=False)}
            self._heredocs[path] = pairs
        return self._heredocs[path].get(node.start_byte)

    def _identifier(self, node: Node, scope: Scope, depth: int, whole: bool) -> frozenset[Site]:
        name = treeutil.text(node)
        if treeutil.block_binding(node, name, ("block", "do_block", "lambda")) is not None:
            return _NONE
        writes = [a for a in self.index.local_assignments(scope.method, scope.path, name)
                  if a.value is not None and a.node.end_byte <= node.start_byte]
        if writes:
            out: set[Site] = set()
            for a in writes:
                out |= self.sources(a.value, scope, depth, whole and a.operator == "=")
            for appended in self._appended(scope, name):
                if appended.end_byte <= node.start_byte:
                    out |= self.sources(appended, scope, depth, False)
            return frozenset(out)
        method = scope.method
        if method is not None and any(p.name == name for p in method.params):
            return self._param(method, name, scope, depth, whole)
        return self._self_call(name, scope, depth, whole)

    def _appended(self, scope: Scope, name: str) -> list[Node]:
        """What ``name << x``, ``name.concat(x)`` and the like add to local ``name``."""
        method = scope.method
        if method is None:
            return []
        key = id(method)
        if key not in self._appends:
            self._appends[key] = _appends_in(method.node)
        return self._appends[key].get(name, [])

    def _param(self, method: MethodDef, name: str, scope: Scope, depth: int,
               whole: bool) -> frozenset[Site]:
        out: set[Site] = set()
        slot = param_slot(method, name)
        if slot is None:
            return _NONE
        kind, position, default = slot
        if default is not None:
            out |= self.sources(default, scope, depth, whole)
        for site in self._call_sites(method):
            if self.project.is_test(site.path):
                continue
            arg = _argument(site, kind, position, name)
            if arg is not None:
                out |= self.sources(arg, scope_of_call(site), depth, whole)
        return frozenset(out)

    def _call_sites(self, method: MethodDef) -> list[CallSite]:
        graph = self.graph.graph
        if method.key not in graph:
            return []
        sites: list[CallSite] = []
        for caller in sorted(graph.predecessors(method.key)):
            sites += [s for s in graph.edges[caller, method.key]["sites"]
                      if method.key in self.graph.structural_targets(s)]
        return sites

    def _self_call(self, name: str, scope: Scope, depth: int, whole: bool) -> frozenset[Site]:
        if scope.cls is None:
            return _NONE
        singleton = scope.method.singleton if scope.method is not None else True
        for key in self.graph.structural_keys(scope.cls, name, singleton):
            method = self.graph.methods.get(key)
            if method is not None:
                return self._returns(method, depth, whole)
        return _NONE

    def _returns(self, method: MethodDef, depth: int, whole: bool) -> frozenset[Site]:
        key = (id(method), whole)
        if key in self._return_memo:
            return self._return_memo[key]
        self._return_memo[key] = _NONE
        scope = Scope(method.path, method, method.owner or None)
        if method.kind == "attr":
            result = self._ivar("@" + method.name, scope, depth, whole)
        else:
            body = method.body
            nodes: list[Node | None] = [_last(body) if body is not None and body.type in (
                "body_statement", "begin") else body]
            if body is not None:
                returns = treeutil.nodes_at_token(body, body.text or b"", "return", "return")
                nodes += [r.named_children[0] for r in returns if r.named_children]
            result = self._union(nodes, scope, depth, whole)
        self._return_memo[key] = result
        return result

    def _ivar(self, name: str, scope: Scope, depth: int, whole: bool) -> frozenset[Site]:
        if scope.cls is None:
            return _NONE
        out: set[Site] = set()
        for a in self.index.assignments_to("ivar", name):
            if a.enclosing_class == scope.cls and a.value is not None:
                out |= self.sources(a.value, Scope(a.path, a.enclosing_method,
                                                   a.enclosing_class), depth,
                                    whole and a.operator in ("=", "||="))
        return frozenset(out)

    def _constant(self, node: Node, scope: Scope, depth: int) -> frozenset[Site]:
        name = treeutil.constant_name(node)
        if name is None:
            return _NONE
        written = name.removeprefix("::")
        resolved = self.index.resolve_constant(written, scope.cls)
        short = resolved.rsplit("::", 1)[-1]
        # The first write (in index order) of ``short`` whose full name is the resolved or
        # the written one; else the first write of the name as written.
        writes = self._constant_writes(short)
        hits = [writes[name] for name in dict.fromkeys((resolved, written)) if name in writes]
        first = min(hits, key=lambda hit: hit[0])[1] if hits else next(
            (a for a in self.index.assignments_to("constant", written) if a.value is not None),
            None)
        if first is None or first.value is None:
            return _NONE
        return self.sources(first.value, Scope(first.path, first.enclosing_method,
                                               first.enclosing_class), depth, False)

    def _constant_writes(self, short: str) -> dict[str, tuple[int, Assignment]]:
        """Full name -> the first write of constant ``short`` with that name (and its place
        among the writes of ``short``): a table per name, where a scan of every write of
        it per reference is quadratic in an app that defines one name in many classes."""
        table = self._constants.get(short)
        if table is None:
            table = {}
            for position, a in enumerate(self.index.assignments_to("constant", short)):
                if a.value is not None:
                    full = f"{a.enclosing_class}::{short}" if a.enclosing_class else short
                    table.setdefault(full, (position, a))
            self._constants[short] = table
        return table

    # -- calls ---------------------------------------------------------------------------
    def _call(self, node: Node, scope: Scope, depth: int, whole: bool) -> frozenset[Site]:
        name = treeutil.text(node.child_by_field_name("method"))
        receiver = node.child_by_field_name("receiver")
        args = node.child_by_field_name("arguments")
        if receiver is None:
            if name in ("format", "sprintf"):
                return self.sources(args, scope, depth, False)
            return self._self_call(name, scope, depth, whole)
        recv_type = self.values.type_of(receiver, scope)
        if recv_type is not None and recv_type.is_rubyllm:
            return _NONE  # what the gem answers is the model's text, not the app's
        out: set[Site] = set()
        if name in _COMBINE:
            out |= self.sources(receiver, scope, depth, False) | \
                self.sources(args, scope, depth, False)
        elif name in _TRANSFORM:
            out |= self.sources(receiver, scope, depth, whole and name not in _PIECES)
        if name in _BLOCK_VALUE:
            body = _block_body(node.child_by_field_name("block"))
            if body is not None:
                out |= self.sources(_last(body) if body.type in ("block_body", "body_statement")
                                    else body, scope, depth, False)
            out |= self.sources(receiver, scope, depth, False)
        if out or name in _COMBINE or name in _TRANSFORM:
            return frozenset(out)
        if recv_type is not None and recv_type.kind == "app" and recv_type.app_class:
            return self._app_method(recv_type.app_class, recv_type.owner == "class", name,
                                    depth, whole)
        return _NONE

    def _app_method(self, cls: str, singleton: bool, name: str, depth: int,
                    whole: bool) -> frozenset[Site]:
        """``builder.prompt``: what the app method returns; a model's column read as the
        whole prompt: what the app writes into it."""
        ancestors = self.index.ancestors(cls)
        for owner in ancestors:
            for method in self.index.methods_of(owner, singleton):
                if method.name == name and method.kind in ("def", "attr"):
                    return self._returns(method, depth, whole)
        if whole and not singleton and _MODEL_BASES & set(ancestors):
            return self._column(cls, name, depth)
        return _NONE

    def _column(self, cls: str, name: str, depth: int) -> frozenset[Site]:
        key = (cls, name)
        if key in self._field_memo:
            return self._field_memo[key]
        self._field_memo[key] = _NONE
        out: set[Site] = set()
        for call in self.index.calls_named(*_WRITES):
            arg = call.keyword(name)
            if arg is None or not self.project.is_app_code(call.path) or \
                    not self._writes_model(call, cls):
                continue
            out |= self.sources(arg.value, scope_of_call(call), depth, True)
        for a in self.index.assignments_to("other"):
            left = a.node.child_by_field_name("left")
            if left is None or left.type != "call" or a.value is None or \
                    treeutil.text(left.child_by_field_name("method")) != name:
                continue
            scope = Scope(a.path, a.enclosing_method, a.enclosing_class)
            typ = self.values.type_of(left.child_by_field_name("receiver"), scope)
            if typ is None or typ.app_class == cls:  # unknown (``current_user.plans...``)
                out |= self.sources(a.value, scope, depth, True)
        result = frozenset(out)
        self._field_memo[key] = result
        return result

    def _writes_model(self, call: CallSite, cls: str) -> bool:
        if call.receiver is None:
            return call.enclosing_class == cls and call.method in (
                "update", "update!", "assign_attributes", "update_columns", "update_column")
        const = call.receiver_constant
        if const is not None:
            return self.index.resolve_constant(const, call.enclosing_class) == cls
        typ = self.values.type_at(call.receiver, call)
        return typ is None or typ.app_class == cls

    def _class_at(self, path: str, line: int) -> str:
        best = ""
        best_line = -1
        for cls in self.index.classes_in(path):
            if cls.line <= line <= cls.end_line and cls.line > best_line:
                best, best_line = cls.name, cls.line
        return best


# -- helpers -------------------------------------------------------------------------------
#: Methods that add their argument to their receiver (and ``<<`` as a binary operator).
_APPENDS = ("concat", "prepend", "insert", "push", "append", "<<")
#: Where an append's text may start: the ``<<`` operator or an appending method's name.
_APPEND_AT = lazy_compile(rb"(?=<<|concat|prepend|insert|push|append)")


def _appends_in(root: Node) -> dict[str, list[Node]]:
    """Local name -> the values ``name << x``, ``name.concat(x)`` and the like add to it
    under ``root``, in document order.

    An append's node holds its token (the operator, the method's name) in its text, so the
    walk descends only into nodes whose text holds one: it meets the same appends in the
    same order as a walk of every node, and a method without any costs one text search."""
    base = root.start_byte
    starts = [base + m.start() for m in _APPEND_AT.finditer(root.text or b"")]
    if not starts:
        return {}

    def holds_token(node: Node) -> bool:
        i = bisect_left(starts, node.start_byte)
        return i < len(starts) and starts[i] < node.end_byte

    table: dict[str, list[Node]] = {}
    for sub in treeutil.walk(root, holds_token):
        target = value = None
        if sub.type == "binary" and treeutil.text(sub.child_by_field_name("operator")) == "<<":
            target, value = sub.child_by_field_name("left"), sub.child_by_field_name("right")
        elif sub.type == "call" and treeutil.text(sub.child_by_field_name("method")) in _APPENDS:
            target, value = sub.child_by_field_name("receiver"), \
                sub.child_by_field_name("arguments")
        if target is not None and value is not None and target.type == "identifier":
            table.setdefault(treeutil.text(target), []).append(value)
    return table


def _site(node: Node, scope: Scope) -> Site:
    return (scope.path, node.start_byte, treeutil.line_of(node))


def _last(node: Node | None) -> Node | None:
    if node is None:
        return None
    named = [c for c in node.named_children if c.type not in ("comment", "rescue", "ensure",
                                                              "heredoc_body")]
    return named[-1] if named else None


def _block_body(block: Node | None) -> Node | None:
    if block is None:
        return None
    body = block.child_by_field_name("body")
    if body is not None:
        return body
    return next((c for c in block.named_children if c.type in ("block_body",
                                                               "body_statement")), None)


def _content_args(call: CallSite, key_name: str) -> list[Node]:
    """``add_message(role: :user, content: x)`` or ``add_message({role:, content: x})``."""
    found = [a.value for a in call.args if a.kind == "keyword" and a.name == key_name]
    for arg in call.positional:
        if arg.node.type == "hash":
            for pair in arg.node.named_children:
                key = pair.child_by_field_name("key")
                if pair.type == "pair" and key is not None and \
                        treeutil.string_value(key) == key_name:
                    value = pair.child_by_field_name("value")
                    if value is not None:
                        found.append(value)
    return found


def _argument(site: CallSite, kind: str, position: int, name: str) -> Node | None:
    if kind == "keyword":
        arg = site.keyword(name)
        return arg.value if arg is not None else None
    positional = [a for a in site.args if a.kind == "positional"]
    return positional[position].node if position < len(positional) else None
