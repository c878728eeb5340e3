"""Does a ``fetch()`` response reach the page by hand? A small taint walk over JavaScript trees.

Within the outermost function holding a ``fetch`` call, names become tainted
when assigned from an expression holding the call or a tainted name, and the
parameters of ``.then`` callbacks chained on it are tainted (axios and jQuery
requests count as fetches). A sink is an ``innerHTML``/``outerHTML`` write or an
``insertAdjacentHTML`` call whose value holds taint, or a text or element write
(``textContent``, ``appendChild``, ``append``...). Tainted arguments of ``this.method(...)`` follow into that
method of the same class (a few levels deep). Names only, no aliasing of
objects: a small, explainable approximation that beats two words in one file.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator

from tree_sitter import Node, Parser, Point, Range

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.lazyregex import LazyPattern, lazy_compile

FUNCTIONS = {"function_declaration", "function_expression", "arrow_function",
             "method_definition", "function", "generator_function_declaration"}
_HTML_PROPS = {"innerHTML", "outerHTML"}
_HTML_CALLS = {"insertAdjacentHTML", "createContextualFragment"}
#: Writes that put text or built elements into the page (safe from XSS, but a page updated
#: by hand from a response instead of by Turbo).
_DOM_PROPS = {"textContent", "innerText"}
_DOM_CALLS = {"append", "appendChild", "prepend", "insertAdjacentText", "insertAdjacentElement",
              "replaceChildren", "replaceWith", "before", "after", "insertBefore"}
#: Request calls besides ``fetch``: axios and jQuery's.
_REQUESTS = lazy_compile(r"^(?:axios(?:\.(?:get|post|put|patch|delete|request))?"
                         r"|\$\.(?:ajax|get|post|getJSON)|jQuery\.(?:ajax|get|post|getJSON))$")
_MAX_DEPTH = 3
_SCRIPT = lazy_compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)


@dataclass(frozen=True)
class Sink:
    """Where a script writes what a request returned into the page."""

    line: int
    column: int
    what: str  # "innerHTML", "insertAdjacentHTML", "textContent", "appendChild", ...
    fetch_line: int
    html: bool = True  # written as HTML (False: text or elements built by the script)
    #: the HTML is built by interpolating response data into markup (a template string,
    #: ``"<li>" + item.title``, or a method of the class that does), not the server's own
    #: rendered fragment written as it came
    interpolated: bool = False


#: Text every request call holds (``fetch``, axios, ``$.ajax``/``jQuery.get``...): a file
#: or script without it has no fetch for :func:`fetch_to_html` to follow.
_FETCH_HINT = re.compile(r"fetch|axios|\$\.|jQuery\.")


def may_fetch(text: str) -> bool:
    """``text`` may hold a request call (False: :func:`fetch_to_html` finds nothing)."""
    return _FETCH_HINT.search(text) is not None


#: Where a request call's text may start (zero-width, so overlapping hints all count).
_FETCH_AT = lazy_compile(rb"(?=fetch|axios|\$\.|jQuery\.)")


def _walk_to(root: Node, hint_at: LazyPattern[bytes]) -> Iterator[Node]:
    """:func:`treeutil.walk` of ``root`` that skips the children of a node whose text holds
    no place where ``hint_at`` matches: the nodes it leaves out are exactly those that
    cannot be what the hint's text is needed for (a request or markdown call holds its
    callee's name), so a filter over it finds what one over the whole walk finds, in the
    same order, without visiting every node of a large file."""
    base = root.start_byte
    starts = [base + m.start() for m in hint_at.finditer(root.text or b"")]

    def holds_hint(node: Node) -> bool:
        i = bisect_left(starts, node.start_byte)
        return i < len(starts) and starts[i] < node.end_byte

    return treeutil.walk(root, holds_hint)


def _is_fetch(node: Node) -> bool:
    if node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    if fn is None:
        return False
    name = treeutil.text(fn)
    return name in ("fetch", "window.fetch") or _REQUESTS.match(name) is not None


def _outer_function(node: Node) -> Node | None:
    """The outermost function (a class method counts as outermost) around ``node``."""
    found = None
    for parent in treeutil.ancestors(node):
        if parent.type in FUNCTIONS:
            found = parent
            if parent.type == "method_definition":
                break
    return found


def _holds(node: Node | None, tainted: set[str],
           is_source: Callable[[Node], bool] = _is_fetch) -> bool:
    """``node`` holds a source (a fetch; a markdown render) or a name that holds one."""
    if node is None:
        return False
    for sub in treeutil.walk(node):
        if is_source(sub):
            return True
        if sub.type in ("identifier", "shorthand_property_identifier") and \
                treeutil.text(sub) in tainted:
            return True
        if sub.type == "member_expression" and treeutil.text(sub) in tainted:
            return True
    return False


def _pattern_names(node: Node) -> set[str]:
    if node.type == "identifier":
        return {treeutil.text(node)}
    return {treeutil.text(n) for n in treeutil.walk(node)
            if n.type in ("identifier", "shorthand_property_identifier_pattern")}


#: The nodes the walk from a fetch reads in a function: writes of names, calls (callbacks,
#: DOM writes, ``this.method(...)``).
_FLOW_NODES = frozenset({"variable_declarator", "assignment_expression",
                         "augmented_assignment_expression", "call_expression"})


def _flow_nodes(scope: Node) -> list[Node]:
    """The ``_FLOW_NODES`` of ``scope``, in document order: one walk, read by every pass of
    :func:`_taint`, by :func:`_sinks_in` and by the search for ``this.method(...)``."""
    return [node for node in treeutil.walk(scope) if node.type in _FLOW_NODES]


def _taint(nodes: list[Node], tainted: set[str]) -> None:
    """Add to ``tainted`` the names ``nodes`` (a function's :func:`_flow_nodes`) taint."""
    for _ in range(3):  # a few passes reach a fixpoint for straight-line code
        before = len(tainted)
        for node in nodes:
            if node.type == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and _holds(value, tainted):
                    tainted |= _pattern_names(name)
            elif node.type in ("assignment_expression", "augmented_assignment_expression"):
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if left is not None and left.type in ("identifier", "member_expression") and \
                        _holds(right, tainted):
                    tainted.add(treeutil.text(left))
            elif node.type == "call_expression":
                fn = node.child_by_field_name("function")
                if fn is None:
                    continue
                if _is_fetch(node) and fn.type == "member_expression":
                    # ``$.getJSON(url, data => ...)``: the success callback gets the response
                    tainted |= _callback_params(node)
                    continue
                if fn.type != "member_expression":
                    continue
                prop = fn.child_by_field_name("property")
                if treeutil.text(prop) in ("then", "forEach", "map") and \
                        _holds(fn.child_by_field_name("object"), tainted):
                    tainted |= _callback_params(node)
        if len(tainted) == before:
            return


def _callback_params(call: Node) -> set[str]:
    """The parameter names of the functions passed to ``call``."""
    out: set[str] = set()
    for arg in (call.child_by_field_name("arguments") or call).named_children:
        params = arg.child_by_field_name("parameters") or arg.child_by_field_name("parameter")
        if arg.type in FUNCTIONS and params is not None:
            out |= _pattern_names(params)
    return out


def _sinks_in(nodes: list[Node], tainted: set[str]) -> list[tuple[Node, str]]:
    """The DOM writes among ``nodes`` (a function's :func:`_flow_nodes`) fed by taint."""
    out: list[tuple[Node, str]] = []
    for node in nodes:
        if node.type in ("assignment_expression", "augmented_assignment_expression"):
            left = node.child_by_field_name("left")
            prop = left.child_by_field_name("property") if left is not None and \
                left.type == "member_expression" else None
            if prop is not None and treeutil.text(prop) in _HTML_PROPS | _DOM_PROPS and \
                    _holds(node.child_by_field_name("right"), tainted):
                out.append((node, treeutil.text(prop)))
        elif node.type == "call_expression":
            fn = node.child_by_field_name("function")
            prop = fn.child_by_field_name("property") if fn is not None and \
                fn.type == "member_expression" else None
            if prop is not None and treeutil.text(prop) in _HTML_CALLS | _DOM_CALLS and \
                    _holds(node.child_by_field_name("arguments"), tainted):
                out.append((node, treeutil.text(prop)))
    return out


def _class_methods(scope: Node) -> dict[str, Node]:
    body = scope.parent
    if body is None or body.type != "class_body":
        return {}
    out: dict[str, Node] = {}
    for member in body.named_children:
        if member.type == "method_definition":
            name = member.child_by_field_name("name")
            out.setdefault(treeutil.text(name), member)
        elif member.type == "field_definition":
            value = member.child_by_field_name("value")
            if value is not None and value.type in FUNCTIONS:
                out.setdefault(treeutil.text(member.child_by_field_name("property")), value)
    return out


def _params(fn: Node) -> list[Node]:
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    if params is None:
        return []
    return [params] if params.type == "identifier" else list(params.named_children)


def _writes(scope: Node) -> Iterator[tuple[Node, Node, Node]]:
    """``let x = v`` and ``x = v`` in ``scope``: (the statement, its left side, its value)."""
    for node in treeutil.walk(scope):
        if node.type == "variable_declarator":
            left, right = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        else:
            continue
        if left is not None and right is not None:
            yield node, left, right


def _nearest_function(node: Node) -> Node | None:
    return next((p for p in treeutil.ancestors(node) if p.type in FUNCTIONS), None)


def _this_method(call: Node, methods: dict[str, Node]) -> Node | None:
    """The class method a ``this.name(...)`` call runs, when the class defines it."""
    if call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression" or \
            treeutil.text(callee.child_by_field_name("object")) != "this":
        return None
    return methods.get(treeutil.text(callee.child_by_field_name("property")))


#: A call around interpolated data that escapes or sanitises it.
_ESCAPES = lazy_compile(r"(?:\b|_)esc(?:ape)?\w*\s*\(|escape|sanitiz|purify|encode", re.I)


def _written(sink: Node) -> Node | None:
    """What a sink writes: the right side of ``el.innerHTML = ...``, the arguments of
    ``insertAdjacentHTML(...)``."""
    if sink.type == "call_expression":
        return sink.child_by_field_name("arguments")
    return sink.child_by_field_name("right")


def _interpolates(value: Node | None, tainted: set[str], methods: dict[str, Node]) -> bool:
    """``value`` builds markup around response data: a template substitution or a string
    concatenation holding it, unescaped, or a method of the class given it that builds a
    template string with substitutions (``this.renderItem(item)``)."""
    if value is None or _SANITIZERS.search(treeutil.text(value)):
        return False
    escaped = {treeutil.text(left) for _, left, written in _writes(_nearest_function(value) or value)
               if _ESCAPES.search(treeutil.text(written)) or _literal_map(written)}
    for sub in treeutil.walk(value):
        if sub.type == "template_substitution" and _holds(sub, tainted - escaped) and \
                not _ESCAPES.search(treeutil.text(sub)) and not _labels(sub, methods) and \
                not _markup_free(sub):
            return True
        if sub.type == "binary_expression" and \
                treeutil.text(sub.child_by_field_name("operator")) == "+":
            sides = [sub.child_by_field_name("left"), sub.child_by_field_name("right")]
            if any(n is not None and n.type in ("string", "template_string") for n in sides) and \
                    any(n is not None and n.type not in ("string", "template_string") and
                        _holds(n, tainted) and not _ESCAPES.search(treeutil.text(n))
                        for n in sides):
                return True
        target = _this_method(sub, methods)
        if target is not None and _holds(sub.child_by_field_name("arguments"), tainted) and \
                not _SANITIZERS.search(treeutil.text(target)) and any(
                    n.type == "template_substitution" and not _ESCAPES.search(treeutil.text(n))
                    for n in treeutil.walk(target)):
            return True
    return False


#: Fields that hold numbers or keys, never markup.
_NUMERIC_FIELD = lazy_compile(r"^(?:id|\w+_id|\w+Id|count|\w+_count|length|size|index|position)$")


def _markup_free(sub: Node) -> bool:
    """``${user.id}``, ``${items.length}``, ``${ok ? `<b>${x}</b>` : ""}``: an id or a count,
    or a choice whose branches are checked on their own (the condition is not written)."""
    expr = sub.named_children[0] if sub.named_children else None
    if expr is None:
        return True
    if expr.type == "ternary_expression":
        return True  # its template branches are substitutions the walk visits
    if expr.type == "member_expression":
        return _NUMERIC_FIELD.match(treeutil.text(expr.child_by_field_name("property"))) is not None
    return expr.type == "identifier" and _NUMERIC_FIELD.match(treeutil.text(expr)) is not None


def _literal_map(node: Node) -> bool:
    """``{ user: "You", assistant: "AI" }[role]``: a lookup that yields only literals."""
    obj = node.child_by_field_name("object") if node.type == "subscript_expression" else None
    return obj is not None and obj.type == "object" and all(
        pair.type == "pair" and (v := pair.child_by_field_name("value")) is not None and
        v.type in ("string", "number") for pair in obj.named_children)


def _labels(sub: Node, methods: dict[str, Node]) -> bool:
    """``${this.senderLabel(x)}``: a method of the class that returns no interpolation of
    what it is given (a label, a class name), so nothing of the response reaches markup."""
    expr = sub.named_children[0] if sub.named_children else None
    target = _this_method(expr, methods) if expr is not None else None
    return target is not None and not any(n.type == "template_substitution"
                                          for n in treeutil.walk(target)) and \
        not any(n.type == "return_statement" and n.named_children and
                n.named_children[0].type in ("identifier", "member_expression", "call_expression",
                                             "subscript_expression")
                for n in treeutil.walk(target))


def fetch_to_html(root: Node) -> list[Sink]:
    """Every DOM write fed by a ``fetch`` (or axios, jQuery) response, in source order, one
    per sink node: HTML writes (``html``) and text or element writes (``html=False``).

    The walk from a fetch depends only on the outermost function around it (any fetch in
    an expression taints it), so each such scope is walked once, for its first fetch: a
    file with thousands of fetches costs one walk per function, not one per fetch.
    """
    if not may_fetch(treeutil.text(root)):
        return []
    seen: set[int] = set()
    out: list[Sink] = []
    walked: set[tuple[int, int]] = set()
    members: dict[tuple[int, int], dict[str, Node]] = {}
    for fetch in (n for n in _walk_to(root, _FETCH_AT) if _is_fetch(n)):
        scope = _outer_function(fetch) or root
        if (scope.start_byte, scope.end_byte) in walked:
            continue
        walked.add((scope.start_byte, scope.end_byte))
        work: list[tuple[Node, set[str], int]] = [(scope, set(), 0)]
        while work:
            fn, tainted, depth = work.pop(0)
            nodes = _flow_nodes(fn)
            _taint(nodes, tainted)
            owner = fn if fn.type == "method_definition" else scope
            body = owner.parent  # the methods are those of the class body around ``owner``
            key = (body.start_byte, body.end_byte) if body is not None else (-1, -1)
            methods = members.get(key)
            if methods is None:
                methods = members[key] = _class_methods(owner)
            for node, what in _sinks_in(nodes, tainted):
                if node.start_byte not in seen:
                    seen.add(node.start_byte)
                    html = what in _HTML_PROPS or what in _HTML_CALLS
                    out.append(Sink(treeutil.line_of(node), treeutil.column_of(node), what,
                                    treeutil.line_of(fetch), html,
                                    html and _interpolates(_written(node), tainted, methods)))
            if depth >= _MAX_DEPTH:
                continue
            for call in (n for n in nodes if n.type == "call_expression"):
                target = _this_method(call, methods)
                args = call.child_by_field_name("arguments")
                # A call of the method itself is followed too (up to _MAX_DEPTH), as it always
                # was: the old ``target is fn`` test compared fresh node objects, never true.
                if target is None or args is None:
                    continue
                passed = {_pattern_names(p).pop() for p, a in
                          zip(_params(target), args.named_children, strict=False)
                          if _holds(a, tainted) and _pattern_names(p)}
                if passed:
                    work.append((target, passed, depth + 1))
    out.sort(key=lambda s: (s.line, s.column))
    return out


def inline_scripts(html: str) -> list[bytes]:
    """Inline ``<script>`` bodies of a template, each padded so its lines are the template's.

    The padding is the newlines before the body and spaces for the columns before it on its
    first line (what blanking everything before it would give), counted incrementally so
    a template with thousands of scripts stays linear.
    """
    out = []
    newlines, counted = 0, 0
    for match in _SCRIPT.finditer(html):
        if "src=" in match.group("attrs") or "json" in match.group("attrs").lower():
            continue
        start = match.start("body")
        newlines += html.count("\n", counted, start)
        counted = start
        column = start - (html.rfind("\n", 0, start) + 1)
        out.append(("\n" * newlines + " " * column + match.group("body")).encode("utf-8"))
    return out


_NOT_NEWLINE = lazy_compile(r"[^\n]")


def inline_script_roots(html: str) -> list[Node]:
    """The JavaScript trees of a template's inline ``<script>`` bodies, at the template's
    lines and columns: what parsing each of :func:`inline_scripts` gives, without padding.

    The template is blanked once (every character but a newline becomes a space, the script
    bodies kept) and each body is parsed as an included range of that one buffer, so a
    template with thousands of scripts costs its size once, not once per script.
    """
    bodies: list[tuple[int, int]] = []  # character offsets of the kept bodies
    for match in _SCRIPT.finditer(html):
        if "src=" in match.group("attrs") or "json" in match.group("attrs").lower():
            continue
        bodies.append((match.start("body"), match.end("body")))
    if not bodies:
        return []
    parts: list[bytes] = []
    ranges: list[Range] = []
    size, row, column, prev = 0, 0, 0, 0
    for start, end in bodies:
        gap = _NOT_NEWLINE.sub(" ", html[prev:start]).encode("ascii")
        parts.append(gap)
        size, row, column = _advance(gap, size, row, column)
        body = html[start:end].encode("utf-8")
        parts.append(body)
        end_size, end_row, end_column = _advance(body, size, row, column)
        ranges.append(Range(Point(row, column), Point(end_row, end_column), size, end_size))
        size, row, column, prev = end_size, end_row, end_column, end
    buffer = b"".join(parts)
    parser = Parser(treeutil.JAVASCRIPT)
    roots = []
    for included in ranges:
        parser.included_ranges = [included]
        roots.append(parser.parse(buffer).root_node)
    return roots


def _advance(data: bytes, size: int, row: int, column: int) -> tuple[int, int, int]:
    """Byte offset, row and byte column after ``data``."""
    newlines = data.count(b"\n")
    if newlines:
        return size + len(data), row + newlines, len(data) - data.rfind(b"\n") - 1
    return size + len(data), row, column + len(data)


# -- markdown rendered into the page ------------------------------------------------------
#: Calls that turn markdown into HTML, keeping any raw HTML the text holds.
_MARKDOWN_FUNCTIONS = {"marked", "marked.parse", "marked.marked", "markdown.toHTML",
                       "snarkdown", "micromark"}
_MARKDOWN_METHODS = {"makeHtml", "render", "renderInline", "parse"}
_MARKDOWN_OBJECTS = lazy_compile(r"marked|markdown|\bmd\b|converter|showdown|remarkable", re.I)
_SANITIZERS = lazy_compile(r"DOMPurify\.sanitize|\bsanitize\(|sanitizeHtml|xss\(|\.setHTML\(")


#: Text a markdown render call holds: one of ``_MARKDOWN_FUNCTIONS``, or one of
#: ``_MARKDOWN_METHODS`` (each holds "render", "parse" or "makeHtml") on an object
#: ``_MARKDOWN_OBJECTS`` matches (whatever its case). A file or script without either has
#: nothing for :func:`markdown_to_html` to find.
_MARKDOWN_FUNCTION_HINT = re.compile(r"marked|markdown\.toHTML|snarkdown|micromark")
_MARKDOWN_METHOD_HINT = re.compile(r"render|parse|makeHtml")
_MARKDOWN_OBJECT_WORDS = ("mark", "md", "converter", "showdown")
_MARKDOWN_OBJECT_HINT = lazy_compile("|".join(_MARKDOWN_OBJECT_WORDS), re.I)


#: Where a markdown render call's callee may start: a function's name or a method's.
_MARKDOWN_CALL_AT = lazy_compile(rb"(?=marked|markdown\.toHTML|snarkdown|micromark"
                                 rb"|render|parse|makeHtml)")


def may_render_markdown(text: str) -> bool:
    """``text`` may hold a markdown render (False: :func:`markdown_to_html` finds nothing)."""
    return _MARKDOWN_FUNCTION_HINT.search(text) is not None or (
        _MARKDOWN_METHOD_HINT.search(text) is not None and _names_markdown_object(text))


def _names_markdown_object(text: str) -> bool:
    """``_MARKDOWN_OBJECT_HINT`` matches ``text``. For ASCII text (the usual case) a search
    of the lowered text answers the same, several times quicker than a case-insensitive
    regex scan; other text keeps the regex (Unicode folds more than ASCII case: ``ſ``, K)."""
    if text.isascii():
        lowered = text.lower()
        return any(word in lowered for word in _MARKDOWN_OBJECT_WORDS)
    return _MARKDOWN_OBJECT_HINT.search(text) is not None


def _is_markdown(node: Node) -> bool:
    if node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    if fn is None:
        return False
    if treeutil.text(fn) in _MARKDOWN_FUNCTIONS:
        return True
    if fn.type == "member_expression":
        prop = treeutil.text(fn.child_by_field_name("property"))
        obj = treeutil.text(fn.child_by_field_name("object"))
        return prop in _MARKDOWN_METHODS and bool(_MARKDOWN_OBJECTS.search(obj))
    return False


def _renders_others_text(node: Node) -> bool:
    """A markdown render whose text is not what the user is typing into a form field
    (``render(textarea.value)``, a live preview): raw HTML there attacks only its author."""
    if not _is_markdown(node):
        return False
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return first is None or not _typed_by_user(first, node)


def _typed_by_user(node: Node, at: Node, hops: int = 2) -> bool:
    """``field.value``, or a variable whose latest write before ``at`` in its function (or
    every write, when the function has none) is one, or an empty literal."""
    if node.type == "member_expression":
        return treeutil.text(node.child_by_field_name("property")) == "value"
    if node.type != "identifier" or hops == 0:
        return False
    name = treeutil.text(node)
    root = _root(at)
    writes = [value for node, left, value in _writes(_nearest_function(at) or root)
              if treeutil.text(left) == name and node.start_byte < at.start_byte][-1:] or \
        [value for _, left, value in _writes(root) if treeutil.text(left) == name]
    return bool(writes) and all(
        value.type == "string" and not treeutil.text(value).strip("'\"`") or
        _typed_by_user(value, at, hops - 1) for value in writes) and \
        any(value.type != "string" for value in writes)


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def markdown_to_html(root: Node) -> list[Sink]:
    """HTML writes (``innerHTML``, ``insertAdjacentHTML``) of markdown rendered by
    ``marked``/markdown-it/showdown without a sanitizer (DOMPurify) on the way; a live
    preview of what the user is typing (``render(textarea.value)``) is not one."""
    if not may_render_markdown(treeutil.text(root)):
        return []
    out: list[Sink] = []
    seen: set[int] = set()
    for call in (n for n in _walk_to(root, _MARKDOWN_CALL_AT) if _renders_others_text(n)):
        scope = _outer_function(call) or root
        names: set[str] = set()
        writes = list(_writes(scope))  # read by every pass
        for _ in range(3):
            before = len(names)
            for _, written, right in writes:
                if _holds(right, names, _renders_others_text) and \
                        not _SANITIZERS.search(treeutil.text(right)):
                    names.add(treeutil.text(written))
            if len(names) == before:
                break
        for node in treeutil.walk(scope):
            value = None
            what = ""
            if node.type in ("assignment_expression", "augmented_assignment_expression"):
                left = node.child_by_field_name("left")
                prop = left.child_by_field_name("property") if left is not None and \
                    left.type == "member_expression" else None
                if prop is not None and treeutil.text(prop) in _HTML_PROPS:
                    value, what = node.child_by_field_name("right"), treeutil.text(prop)
            elif node.type == "call_expression":
                fn = node.child_by_field_name("function")
                prop = fn.child_by_field_name("property") if fn is not None and \
                    fn.type == "member_expression" else None
                if prop is not None and treeutil.text(prop) in _HTML_CALLS:
                    value, what = node.child_by_field_name("arguments"), treeutil.text(prop)
            if value is None or node.start_byte in seen:
                continue
            if _holds(value, names, _renders_others_text) and not _SANITIZERS.search(treeutil.text(value)):
                seen.add(node.start_byte)
                out.append(Sink(treeutil.line_of(node), treeutil.column_of(node), what,
                                treeutil.line_of(call)))
    out.sort(key=lambda s: (s.line, s.column))
    return out
