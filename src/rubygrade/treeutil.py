"""tree-sitter plumbing: one parser per language, iterative walks, small node helpers.

Trees from AI-written repositories can be arbitrarily deep (a 20,000-level
nested expression is a real input), so nothing here recurses over a tree:
every walk keeps its own stack.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import tree_sitter_embedded_template as ts_erb
import tree_sitter_javascript as ts_js
import tree_sitter_ruby as ts_ruby
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

RUBY = Language(ts_ruby.language())
ERB = Language(ts_erb.language())
JAVASCRIPT = Language(ts_js.language())


@cache
def _parser(language_name: str) -> Parser:
    return Parser({"ruby": RUBY, "erb": ERB, "javascript": JAVASCRIPT}[language_name])


def parse(language_name: str, source: bytes) -> Tree:
    """Parse ``source`` with the cached parser for ``language_name``."""
    return _parser(language_name).parse(source)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects.

    Indexing a large app creates hundreds of thousands of facts that all stay
    alive; each full collection would rescan them all (a third of indexing time
    on a 2,500-file app). Reference counting still frees everything meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # Move the new survivors straight to the oldest generation (freeze+unfreeze is
                # bookkeeping only) so the next young collection does not rescan them all.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def walk(root: Node, descend: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """Yield ``root`` and its descendants in document order, without recursion.

    ``descend(node)`` returning False prunes that node's children.
    """
    stack = [root]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        yield node
        if descend is not None and not descend(node):
            continue
        children = node.children
        if children:
            extend(children[::-1])  # a copy: tree-sitter caches and shares the children list


def text(node: Node | None) -> str:
    """The source text of a node, decoded leniently (source bytes are already UTF-8 clean)."""
    if node is None:
        return ""
    raw = node.text
    return "" if raw is None else raw.decode("utf-8", "replace")


def line_of(node: Node) -> int:
    """1-based line of the node's start."""
    return node.start_point[0] + 1


def column_of(node: Node) -> int:
    return node.start_point[1] + 1


def end_line_of(node: Node) -> int:
    return node.end_point[0] + 1


# tree-sitter's ``Node.parent`` searches down from the root: O(depth) per call, so climbing
# from a node 20,000 levels down is quadratic (minutes). The index walk, which knows every
# parent, records the links of deeply nested nodes here (cleared per index), making each
# step O(1); shallow nodes keep using ``Node.parent``, which is cheap near the root.
DEEP_NODE = 64
MAX_ANCESTORS = 256  # a guard against checks that climb from every level of a hostile nest
_deep_parents: dict[Node, Node] = {}


def remember_parent(node: Node, parent: Node) -> None:
    _deep_parents[node] = parent


def forget_parents() -> None:
    _deep_parents.clear()


def deep_nodes_seen() -> bool:
    """Whether the last index recorded a node more than ``DEEP_NODE`` levels down. It walks
    every named node of every tree, so when it recorded none, no climb from a node of those
    trees can pass ``MAX_ANCESTORS`` (and no analysis needs to count the levels)."""
    return bool(_deep_parents)


def parent_of(node: Node) -> Node | None:
    """``node.parent``, in O(1) for deeply nested nodes the index has seen."""
    if _deep_parents:
        parent = _deep_parents.get(node)
        if parent is not None:
            return parent
    return node.parent


def ancestors(node: Node, limit: int = MAX_ANCESTORS) -> Iterator[Node]:
    """The node's parents, nearest first; at most ``limit`` of them (only hostile
    nesting is deeper). Stopping at the limit is recorded as a ``limit`` diagnostic of the
    run (:func:`note_limit`)."""
    deep = _deep_parents
    parent = deep.get(node) if deep else None
    if parent is None:
        parent = node.parent
    count = 0
    while parent is not None:
        if count >= limit:
            note_limit(f"code nested more than {limit} levels deep: analyses that look up "
                       f"from a node stop {limit} levels up")
            return
        yield parent
        count += 1
        above = deep.get(parent) if deep else None
        parent = above if above is not None else parent.parent


# Where an analysis bounded itself, for the run's diagnostics. A context variable, so
# concurrent runs (threads) each keep their own.
_limits_hit: ContextVar[set[str] | None] = ContextVar("rubygrade_limits", default=None)


def note_limit(message: str) -> None:
    """Record that an analysis stopped at a bound (one diagnostic per message per run)."""
    hit = _limits_hit.get()
    if hit is not None:
        hit.add(message)


@contextmanager
def collecting_limits() -> Iterator[set[str]]:
    """Collect the :func:`note_limit` messages of the code run inside."""
    hit: set[str] = set()
    token = _limits_hit.set(hit)
    try:
        yield hit
    finally:
        _limits_hit.reset(token)


def block_binding(node: Node, name: str,
                  kinds: tuple[str, ...] = ("block", "do_block")) -> tuple[Node, int] | None:
    """``items.each { |name| ... }``: the nearest enclosing block (of ``kinds``, inside
    the same method) that binds ``name`` as a parameter, and the parameter's position."""
    for anc in ancestors(node):
        if anc.type in ("method", "singleton_method", "class", "module"):
            return None
        if anc.type not in kinds:
            continue
        params = anc.child_by_field_name("parameters")
        if params is None:
            continue
        for i, p in enumerate(params.named_children):
            if text(p) == name or text(p.child_by_field_name("name")) == name:
                return anc, i
    return None


def heredoc_body(beginning: Node) -> Node | None:
    """The body of the heredoc opened by ``beginning`` (``<<~PROMPT``). Tree-sitter puts
    bodies after the statement that opens them, as its siblings, in the openers' order."""
    for anc in (beginning, *ancestors(beginning)):
        bodies: list[Node] = []
        sibling = anc.next_sibling
        while sibling is not None and sibling.type == "heredoc_body":
            bodies.append(sibling)
            sibling = sibling.next_sibling
        if bodies:
            openers = [n for n in walk(anc) if n.type == "heredoc_beginning"]
            position = next((i for i, n in enumerate(openers) if n.id == beginning.id), None)
            return bodies[position] if position is not None and position < len(bodies) else None
    return None


def error_nodes(root: Node, limit: int = 20) -> list[Node]:
    """The first ``limit`` ERROR or MISSING nodes, for parse diagnostics."""
    if not root.has_error:
        return []
    found: list[Node] = []
    for node in walk(root, descend=lambda n: n.has_error):
        if node.type == "ERROR" or node.is_missing:
            found.append(node)
            if len(found) >= limit:
                break
    return found


def string_value(node: Node | None) -> str | None:
    """The value of a plain string or symbol literal, or None when it is computed."""
    if node is None:
        return None
    if node.type in ("simple_symbol", "hash_key_symbol"):
        raw = text(node)
        return raw[1:] if raw.startswith(":") else raw
    if node.type in ("string", "bare_string", "delimited_symbol", "bare_symbol"):
        parts = [c for c in node.named_children]
        if any(c.type == "interpolation" for c in parts):
            return None
        return "".join(text(c) for c in parts if c.type == "string_content")
    return None


def underscore(constant: str) -> str:
    """Rails's ``underscore``: ``Api::ChatBotsController`` -> ``api/chat_bots_controller``."""
    return "/".join(re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", part).lower()
                    for part in constant.split("::"))


def constant_name(node: Node | None) -> str | None:
    """``Foo``, ``Foo::Bar`` or ``::Foo::Bar`` (given as ``Foo::Bar``) as a plain name, else None."""
    parts: list[str] = []
    while node is not None:
        if node.type == "constant":
            parts.append(text(node))
            break
        if node.type != "scope_resolution":
            return None
        name = node.child_by_field_name("name")
        if name is None:
            return None
        parts.append(text(name))
        node = node.child_by_field_name("scope")
    if not parts:
        return None
    return "::".join(reversed(parts))


#: Above this many (tokens x bytes of the tree), :func:`nodes_at_token` queries the whole
#: tree instead of looking each token up: a lookup descends from the root, so in a file
#: nested 20,000 levels deep each one costs as much as a walk of every node.
_LOOKUP_BUDGET = 10_000_000


@cache
def _type_query(node_type: str) -> Query:
    # Built on first use: compiling a query against the Ruby grammar takes 10-20 ms.
    return Query(RUBY, f"({node_type}) @node")


def nodes_at_token(root: Node, raw: bytes, node_type: str, *tokens: str) -> list[Node]:
    """The ``node_type`` nodes under ``root`` (itself included) that hold one of ``tokens``
    in their own text, outside their named children - the ``::`` of ``A::B``, the ``<<``
    of ``a << b`` or ``<<~TEXT``, the ``return`` keyword, the ``:`` or ``=>`` of a pair -
    in document order, an enclosing node first. ``raw`` is the text of ``root``. In a tree
    with errors, or one too deep for lookups, every ``node_type`` node (callers that need
    the token test for it).

    Such a node is the smallest named one around its token, and the token is in the text:
    looking up the few places the text has it skips the walk of every other node. A tree
    with errors may hold a MISSING token, which has no text: that one is queried whole."""
    words = [token.encode() for token in tokens]
    if root.has_error or sum(raw.count(word) for word in words) * len(raw) > _LOOKUP_BUDGET:
        found = QueryCursor(_type_query(node_type)).captures(root).get("node", [])
    else:
        base = root.start_byte
        by_id: dict[int, Node] = {}
        for word in words:
            at = raw.find(word)
            while at != -1:
                node = root.named_descendant_for_byte_range(base + at, base + at + len(word))
                if node is not None and node.type == node_type:
                    by_id[node.id] = node
                at = raw.find(word, at + 1)
        found = list(by_id.values())
    # A query gives no document order, lookups the order of the tokens: sorted by start,
    # then the longer first (``A::B::C`` holds ``A::B`` from the same start).
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))
