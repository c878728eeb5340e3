"""Where does a value come from? Origins for XSS sinks, prompts and conversation turns.

``Taint.origins(node, scope)`` is a set of origins:

- ``params``: the request (``params[...]``, and what flows from it through locals,
  parameters and string operations);
- ``llm``: model output (a reply's ``content``, a streamed chunk's, a message
  record's, which the model wrote for its own turns);
- ``history``: a stored conversation read back (``Rails.cache``/session reads, rendered
  message collections): user and model text alike;
- ``literal``: text written in the code (strings, heredocs, frozen constants, symbols);
- ``escaped``: text escaped or sanitised on the way (``h``, ``ERB::Util.html_escape``,
  ``sanitize``, ``simple_format``, tag helpers, a markdown renderer that filters HTML);
- ``unknown``: anything else.

The analysis is field-insensitive (a hash holds the union of its values' origins) and
follows values through locals, instance variables (including a controller's
instance variables into its views), method parameters (the arguments at their
structural call sites), method returns, partial locals (what ``render`` passes), and
string methods. It is depth-limited and memoised.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.values import Scope, ValueFlow, scope_of_call
from rubygrade.analysis.views import partial_name, view_controllers
from rubygrade.index.model import Arg, Assignment, CallSite, MethodDef
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.callgraph import CallGraph

Origins = frozenset[str]
#: Origins that make rendered HTML an XSS risk.
TAINTED = frozenset({"params", "llm", "history"})
#: The text of every stored message, iterated: earlier turns, read back from the database.
_TRANSCRIPT = frozenset({"llm", "history"})
_MAX_DEPTH = 30
_NONE: Origins = frozenset()
_LITERAL: Origins = frozenset({"literal"})
_ESCAPED: Origins = frozenset({"escaped"})
_UNKNOWN: Origins = frozenset({"unknown"})

_LITERAL_NODES = {"simple_symbol", "delimited_symbol", "integer", "float", "true",
                  "false", "nil", "string_array", "symbol_array",
                  "character", "rational", "complex", "regex"}
#: Rails helpers and library calls whose result is escaped or sanitised HTML.
ESCAPERS = {"h", "html_escape", "html_escape_once", "escape_html", "sanitize", "strip_tags",
            "simple_format", "content_tag", "link_to", "button_to", "safe_join",
            "escape_javascript", "j", "json_escape", "to_json", "escapeHTML", "escape_once",
            "t", "translate", "l", "number_to_currency", "pluralize", "time_ago_in_words",
            "image_tag", "mail_to", "tag", "label_tag", "text_field_tag",
            "turbo_frame_tag", "turbo_stream_from", "dom_id", "url_for", "truncate"}
#: Rails view helpers that escape what they render, when called on the view (no receiver).
_VIEW_ESCAPERS = {"render", "render_to_string", "content_for", "yield", "capture"}
#: Methods whose result carries no text of the receiver (counts, predicates, ids).
_OPAQUE = {"size", "length", "count", "empty?", "present?", "blank?", "nil?", "any?", "none?",
           "to_i", "to_f", "id", "==", "!=", "is_a?", "key?", "include?", "persisted?",
           "new_record?", "created_at", "updated_at", "role", "user?", "assistant?",
           "each_with_index", "class", "hash", "object_id", "zero?", "positive?"}
_MODEL_BASES = {"ApplicationRecord", "ActiveRecord::Base", "::ActiveRecord::Base"}
#: Calls that write a model's columns from keywords.
_WRITES = ("create", "create!", "new", "build", "update", "update!", "assign_attributes",
           "update_columns", "insert", "insert!", "upsert", "find_or_create_by",
           "find_or_create_by!", "find_or_initialize_by", "create_with", "update_all")
#: Where a request's parameters enter.
_PARAMS = {"params", "request", "cookies"}
_MARKDOWN_CLASSES = re.compile(r"Redcarpet|Kramdown|CommonMarker|Commonmarker|Markly|"
                               r"MarkdownIt|Marked|Maruku|RDiscount|BlueCloth")
#: Renderer options that drop or escape raw HTML, in either hash syntax: Redcarpet's
#: ``filter_html``/``escape_html``, Kramdown's ``escape``, markdown-it's ``html: false``.
#: (``safe_links_only`` only vets links: raw HTML still passes.)
_SAFE_MARKDOWN = lazy_compile(
    r"(?<![\w])(?::?(?:filter_html|escape_html|escape)(?::\s*|\s*=>\s*)true"
    r"|:?html(?::\s*|\s*=>\s*)false)")
_UNSAFE_COMMONMARK = lazy_compile(r"unsafe|UNSAFE")
#: Iterators whose result is made of what their block returns.
_MAPPERS = {"map", "collect", "flat_map", "filter_map", "sum", "inject", "reduce",
            "each_with_object", "then", "yield_self"}
_RENDER_METHODS = {"render", "to_html", "render_html", "parse", "call", "markdown"}


class Taint:
    """Origins of values, for one run."""

    def __init__(self, facts: Facts, values: ValueFlow, graph: CallGraph) -> None:
        self.project = facts.project
        self.index = facts.index
        self.values = values
        self.graph = graph
        self._memo: dict[tuple[int, str], Origins] = {}
        self._in_progress: set[tuple[int, str]] = set()
        self._param_memo: dict[tuple[int, str], Origins] = {}
        self._return_memo: dict[int, Origins] = {}
        self._partial_memo: dict[tuple[str, str], Origins] = {}
        self._field_memo: dict[str, Origins] = {}
        self._column_writes: tuple[dict[str, list[tuple[CallSite, Arg]]],
                                   dict[str, list[Assignment]]] | None = None
        self.views = values.views

    # -- public --------------------------------------------------------------------------
    def origins(self, node: Node | None, scope: Scope, depth: int = 0) -> Origins:
        if node is None or depth > _MAX_DEPTH:
            return _UNKNOWN
        key = (node.id, scope.path)
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:
            return _NONE
        self._in_progress.add(key)
        try:
            result = self._infer(node, scope, depth + 1)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = result
        return result

    def tainted(self, node: Node | None, scope: Scope) -> Origins:
        """The tainting origins of ``node`` (empty: literal, escaped or unknown)."""
        return self.origins(node, scope) & TAINTED

    def from_request(self, node: Node | None, scope: Scope) -> bool:
        return "params" in self.origins(node, scope)

    def is_literal(self, node: Node | None, scope: Scope) -> bool:
        """Only text written in the code reaches here (a prompt, a fixed string)."""
        found = self.origins(node, scope)
        return bool(found) and found <= _LITERAL

    # -- inference -----------------------------------------------------------------------
    def _infer(self, node: Node, scope: Scope, depth: int) -> Origins:
        t = node.type
        if t in _LITERAL_NODES:
            return _LITERAL
        if t in ("parenthesized_statements", "begin", "body_statement", "block_body",
                 "then", "else"):
            last = _last(node)
            return self.origins(last, scope, depth) if last is not None else _NONE
        if t in ("assignment", "operator_assignment"):
            return self.origins(node.child_by_field_name("right"), scope, depth)
        if t in ("array", "hash", "pair", "argument_list", "binary", "conditional",
                 "string", "interpolation", "if", "unless", "case", "when"):
            return self._union(node, scope, depth)
        if t == "heredoc_beginning":
            body = treeutil.heredoc_body(node)
            parts = [c for c in body.named_children if c.type == "interpolation"] \
                if body is not None else []
            return _LITERAL.union(*(self.origins(c, scope, depth) for c in parts))
        if t in ("constant", "scope_resolution"):
            return self._constant(node, scope, depth)
        if t == "identifier":
            return self._identifier(node, scope, depth)
        if t == "instance_variable":
            return self._ivar(node, scope, depth)
        if t == "element_reference":
            receiver = node.named_children[0] if node.named_children else None
            return self.origins(receiver, scope, depth)
        if t == "call":
            return self._call(node, scope, depth)
        return _UNKNOWN

    def _union(self, node: Node, scope: Scope, depth: int) -> Origins:
        out: set[str] = set()
        children = [c for c in node.named_children if c.type not in ("comment",)]
        if node.type == "string":
            out.add("literal")
            children = [c for c in children if c.type == "interpolation"]
        elif node.type in ("if", "unless", "case", "when"):
            children = [c for c in children if c.type in ("then", "else", "when", "elsif")]
        elif node.type == "conditional":
            children = [c for c in (node.child_by_field_name("consequence"),
                                    node.child_by_field_name("alternative")) if c is not None]
        elif node.type == "pair":
            children = [c for c in (node.child_by_field_name("value"),) if c is not None]
        elif node.type == "binary":
            operator = node.child_by_field_name("operator")
            if operator is not None and treeutil.text(operator) in (
                    "==", "!=", "<", ">", "<=", ">=", "&&", "and", "=~", "<=>"):
                return _LITERAL
        for child in children:
            out |= self.origins(child, scope, depth)
        return frozenset(out) if out else _LITERAL

    def _constant(self, node: Node, scope: Scope, depth: int) -> Origins:
        name = treeutil.constant_name(node)
        if name is None:
            return _UNKNOWN
        resolved = self.index.resolve_constant(name.removeprefix("::"), scope.cls)
        short = resolved.rsplit("::", 1)[-1]
        for a in self.index.assignments_to("constant", name.removeprefix("::")):
            if a.value is not None:
                return self.origins(a.value, Scope(a.path, a.enclosing_method,
                                                   a.enclosing_class), depth)
        for a in self.index.assignments_to("constant", short):
            if a.value is not None and (a.enclosing_class or "") in resolved:
                return self.origins(a.value, Scope(a.path, a.enclosing_method,
                                                   a.enclosing_class), depth)
        return _LITERAL  # a class or module: not text

    def _identifier(self, node: Node, scope: Scope, depth: int) -> Origins:
        name = treeutil.text(node)
        if name in _PARAMS and not self.index.local_assignments(scope.method, scope.path, name):
            return frozenset({"params"})
        best = None
        for a in self.index.local_assignments(scope.method, scope.path, name):
            if a.value is not None and a.node.end_byte <= node.start_byte and (
                    best is None or a.node.start_byte > best.node.start_byte):
                best = a
        if best is not None:
            return self.origins(best.value, scope, depth)
        block = _block_of_param(node, name)
        if block is not None:
            return self._block_param(block, scope, depth)
        if scope.method is not None and scope.method.kind == "def" and \
                any(p.name == name for p in scope.method.params):
            return self._param(scope.method, name, depth)
        source = self.project.files.get(scope.path)
        if source is not None and source.kind == "erb" and scope.method is None:
            if partial_name(self.project.app_relative(scope.path) or "") is not None:
                return self._partial_local(scope.path, name, depth)
        if scope.method is None:
            return _UNKNOWN
        typ = self.values.type_of(node, scope)
        if typ is not None:
            return _UNKNOWN
        return self._self_method(name, scope, depth)

    def _block_param(self, block: Node, scope: Scope, depth: int) -> Origins:
        """``messages.each do |m|``: an element of what is iterated."""
        call = treeutil.parent_of(block)
        if call is None or call.type != "call":
            return _UNKNOWN
        receiver = call.child_by_field_name("receiver")
        if receiver is None:
            return _UNKNOWN
        recv = self.values.type_of(receiver, scope)
        if recv is not None and (recv.kind in ("record", "subclass") or (
                recv.kind == "instance" and recv.owner in self.values.roles.chat_classes)):
            method = treeutil.text(call.child_by_field_name("method"))
            if method in self.values.roles.streaming_methods:
                return frozenset({"llm"})  # a streamed chunk
        return self.origins(receiver, scope, depth)

    def _param(self, method: MethodDef, name: str, depth: int) -> Origins:
        key = (id(method), name)
        if key in self._param_memo:
            return self._param_memo[key]
        self._param_memo[key] = _NONE
        out: set[str] = set()
        position = [p.name for p in method.params if p.kind in ("req", "opt")]
        for site in self._sites(method):
            if self.project.is_test(site.path):
                continue
            arg = _argument(site, position, name)
            out |= self.origins(arg, scope_of_call(site), depth) if arg is not None \
                else _UNKNOWN
        result = frozenset(out) if out else _UNKNOWN
        self._param_memo[key] = result
        return result

    def _sites(self, method: MethodDef) -> list[CallSite]:
        if method.key not in self.graph.graph:
            return []
        sites: list[CallSite] = []
        for caller in sorted(self.graph.graph.predecessors(method.key)):
            sites += self.graph.graph.edges[caller, method.key]["sites"]
        return sites

    def _ivar(self, node: Node, scope: Scope, depth: int) -> Origins:
        name = treeutil.text(node)
        classes = [scope.cls] if scope.cls else view_controllers(self.project, self.index,
                                                                 scope.path)
        out: set[str] = set()
        for cls in classes:
            for a in self.index.assignments_to("ivar", name):
                if a.enclosing_class == cls and a.value is not None:
                    out |= self.origins(a.value, Scope(a.path, a.enclosing_method,
                                                       a.enclosing_class), depth)
        return frozenset(out) if out else _UNKNOWN

    def _self_method(self, name: str, scope: Scope, depth: int) -> Origins:
        """A receiver-less call of an app method (a helper): what it returns."""
        for method in self.index.methods_named(name):
            if method.kind == "def" and not method.singleton:
                return self._returns(method, depth)
        return _UNKNOWN

    def _returns(self, method: MethodDef, depth: int) -> Origins:
        key = id(method)
        if key in self._return_memo:
            return self._return_memo[key]
        self._return_memo[key] = _NONE
        body = method.body
        last = _last(body) if body is not None and body.type in ("body_statement", "begin") \
            else body
        result = self.origins(last, Scope(method.path, method, method.owner or None), depth) \
            if last is not None else _NONE
        self._return_memo[key] = result
        return result

    # -- calls -----------------------------------------------------------------------------
    def _call(self, node: Node, scope: Scope, depth: int) -> Origins:
        method_node = node.child_by_field_name("method")
        name = treeutil.text(method_node) if method_node is not None else "call"
        receiver = node.child_by_field_name("receiver")
        args = node.child_by_field_name("arguments")
        if (name in ESCAPERS or (receiver is None and name in _VIEW_ESCAPERS)) and \
                not _unsafe_option(node):
            return _ESCAPED
        if receiver is not None and treeutil.text(receiver) in ("ERB::Util", "CGI", "Rack::Utils") \
                and "escape" in name:
            return _ESCAPED
        if name in _OPAQUE:
            return _LITERAL
        markdown = self._markdown(node, scope, depth)
        if markdown is not None:
            return markdown
        if receiver is not None and name in _MAPPERS:
            block = node.child_by_field_name("block")
            body = _block_body(block)
            if body is not None:  # ``messages.map { |m| m.content }``: what the block yields
                return self.origins(body, scope, depth)
        if receiver is None:
            if name in _PARAMS:
                return frozenset({"params"})
            if name in ("raw", "html_safe"):
                return self.origins(args, scope, depth) if args is not None else _NONE
            local = self._self_method(name, scope, depth)
            if local != _UNKNOWN:
                return local
            return self.origins(args, scope, depth) if args is not None and \
                name in ("format", "sprintf", "String") else _UNKNOWN
        recv_type = self.values.type_of(receiver, scope)
        if recv_type is not None:
            reads = self.values.roles.reply_reads
            if name in reads and recv_type.kind in ("record", "app") and \
                    self._iterated_record(receiver, scope):
                return _TRANSCRIPT  # each stored message's text: the conversation so far
            if name in reads and (recv_type.owner in self.values.roles.reply_classes or
                                  recv_type.kind == "record"):
                return frozenset({"llm"})
            if recv_type.kind == "store" and name in ("read", "fetch"):
                return frozenset({"history"})
            if recv_type.is_rubyllm and name in self.values.roles.chat_sends:
                return frozenset({"llm"})  # the reply itself (its #to_s is the content)
            if recv_type.kind == "app" and recv_type.owner == "instance" and recv_type.app_class \
                    and self._attribute(recv_type.app_class, name):
                return self._field(name, depth)
        if treeutil.text(receiver) == "session":
            return frozenset({"history"})
        inner = self.origins(receiver, scope, depth)
        if "markdown" in inner and args is not None and name in _RENDER_METHODS:
            return self.origins(args, scope, depth) | {"markdown"}  # renderer.render(text)
        if args is not None and name in ("+", "concat", "<<", "gsub", "sub", "join", "%",
                                         "prepend", "insert", "merge"):
            inner = inner | self.origins(args, scope, depth)
        if "params" in inner or "llm" in inner or "history" in inner:
            return inner
        app = self._app_method(node, receiver, scope, depth)
        return app if app is not None else inner

    def _iterated_record(self, receiver: Node, scope: Scope) -> bool:
        """``messages.each { |m| m.content }``: ``m`` is an element of a stored collection."""
        if receiver.type != "identifier":
            return False
        block = _block_of_param(receiver, treeutil.text(receiver))
        call = treeutil.parent_of(block) if block is not None else None
        iterated = call.child_by_field_name("receiver") if call is not None and \
            call.type == "call" else None
        if iterated is None:
            return False
        typ = self.values.type_of(iterated, scope)
        return typ is not None and typ.kind == "collection" and bool(typ.app_class)

    def _attribute(self, cls: str, name: str) -> bool:
        """``name`` is a database column of app model ``cls``, not a method it defines."""
        ancestors = self.index.ancestors(cls)
        if not _MODEL_BASES & set(ancestors):
            return False
        return not any(m.name == name for owner in ancestors for m in self.index.methods_of(owner))

    def _field(self, name: str, depth: int) -> Origins:
        """What the app writes into a column ``name`` (``Message.create!(content: x)``,
        ``message.update(content: x)``, ``message.content = x``): a model-written field."""
        if name in self._field_memo:
            return self._field_memo[name]
        self._field_memo[name] = _NONE
        out: set[str] = set()
        by_keyword, by_setter = self._column_writes_by_name()
        for call, arg in by_keyword.get(name, ()):
            out |= self.origins(arg.value, scope_of_call(call), depth)
        for a in by_setter.get(name, ()):
            out |= self.origins(a.value, Scope(a.path, a.enclosing_method,
                                               a.enclosing_class), depth)
        result = frozenset(out) if out else _UNKNOWN
        self._field_memo[name] = result
        return result

    def _column_writes_by_name(self) -> tuple[dict[str, list[tuple[CallSite, Arg]]],
                                              dict[str, list[Assignment]]]:
        """The writes :meth:`_field` follows, by column name, built once per run instead of
        a scan of every write call and setter per column: app calls of ``_WRITES`` with
        their first keyword of each name (what ``call.keyword(name)`` finds), and
        ``x.name = v`` assignments; each list in the order the scans visited them."""
        if self._column_writes is None:
            by_keyword: dict[str, list[tuple[CallSite, Arg]]] = {}
            for call in self.index.calls_named(*_WRITES):
                if not self.project.is_app_code(call.path):
                    continue
                named: set[str] = set()
                for arg in call.args:
                    if arg.kind == "keyword" and arg.name is not None and arg.name not in named:
                        named.add(arg.name)
                        by_keyword.setdefault(arg.name, []).append((call, arg))
            by_setter: dict[str, list[Assignment]] = {}
            for a in self.index.assignments_to("other"):
                left = a.node.child_by_field_name("left")
                if left is not None and left.type == "call" and a.value is not None:
                    setter = treeutil.text(left.child_by_field_name("method"))
                    by_setter.setdefault(setter, []).append(a)
            self._column_writes = (by_keyword, by_setter)
        return self._column_writes

    def _app_method(self, node: Node, receiver: Node, scope: Scope,
                    depth: int) -> Origins | None:
        typ = self.values.type_of(receiver, scope)
        if typ is None or typ.kind != "app" or not typ.app_class:
            return None
        name = treeutil.text(node.child_by_field_name("method"))
        for owner in self.index.ancestors(typ.app_class):
            for method in self.index.methods_of(owner, typ.owner == "class"):
                if method.name == name and method.kind == "def":
                    return self._returns(method, depth)
        return None

    def _markdown(self, node: Node, scope: Scope, depth: int) -> Origins | None:
        """A markdown renderer's output: its input's origins, unless it drops raw HTML."""
        text = treeutil.text(node)
        if not _MARKDOWN_CLASSES.search(text):
            return None
        name = treeutil.text(node.child_by_field_name("method"))
        if name not in ("render", "to_html", "render_html", "markdown_to_html", "parse",
                        "new", "to_s"):
            return None
        if _SAFE_MARKDOWN.search(text) or (
                "ommon" in text and not _UNSAFE_COMMONMARK.search(text)):
            return _ESCAPED
        inputs = self._renderer_inputs(node, scope, depth)
        return inputs | frozenset({"markdown"})

    def _renderer_inputs(self, node: Node, scope: Scope, depth: int) -> Origins:
        out: set[str] = set()
        for sub in treeutil.walk(node):
            if sub.type == "argument_list":
                out |= self.origins(sub, scope, depth)
        return frozenset(out) if out else _UNKNOWN

    # -- partials ----------------------------------------------------------------------------
    def _partial_local(self, path: str, name: str, depth: int) -> Origins:
        key = (path, name)
        if key in self._partial_memo:
            return self._partial_memo[key]
        self._partial_memo[key] = _NONE
        out: set[str] = set()
        for value, call, _each in self.views.partial_local_values(path, name):
            out |= self.origins(value, scope_of_call(call), depth)
        result = frozenset(out) if out else _UNKNOWN
        self._partial_memo[key] = result
        return result


# -- helpers -------------------------------------------------------------------------------
def _last(node: Node | None) -> Node | None:
    if node is None:
        return None
    named = [c for c in node.named_children if c.type not in ("comment", "rescue", "ensure",
                                                               "heredoc_body")]
    return named[-1] if named else None


def _unsafe_option(call: Node) -> bool:
    """``simple_format(x, {}, sanitize: false)``, ``truncate(x, escape: false)``."""
    text = treeutil.text(call.child_by_field_name("arguments"))
    return bool(re.search(r"\b(?:sanitize|escape):\s*false", text))


def _block_of_param(node: Node, name: str) -> Node | None:
    binding = treeutil.block_binding(node, name)
    return binding[0] if binding is not None else None


def _argument(site: CallSite, positional: list[str], name: str) -> Node | None:
    keyword = site.keyword(name)
    if keyword is not None:
        return keyword.value
    if name in positional:
        index = positional.index(name)
        args = [a for a in site.args if a.kind == "positional"]
        if index < len(args):
            return args[index].node
    return None


def _block_body(block: Node | None) -> Node | None:
    """The statements of a ``{ |x| ... }`` or ``do |x| ... end`` block."""
    if block is None:
        return None
    for child in block.named_children:
        if child.type in ("block_body", "body_statement"):
            return child
    return None
