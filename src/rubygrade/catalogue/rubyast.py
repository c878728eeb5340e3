"""Small tree-sitter-ruby helpers the extractor needs (none of them recurse).

Kept apart from the extractor so the node-shape knowledge (which field holds
what in tree-sitter-ruby 0.23) sits in one place.
"""

from __future__ import annotations

from tree_sitter import Node

from rubygrade.catalogue.builtins import ENUMERABLE
from rubygrade.catalogue.model import Param, ParamKind


def txt(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def name_of_const(node: Node) -> str | None:
    """``Foo``, ``Foo::Bar``, ``::Foo`` as written; None for anything else."""
    if node.type == "constant":
        return txt(node)
    if node.type == "scope_resolution":
        text = "".join(txt(node).split())
        parts = text.lstrip(":").split("::")
        if all(p and p[0].isupper() for p in parts):
            return text
    return None


def symbol_value(node: Node | None) -> str | None:
    """``:foo``, ``:"foo"``, ``'foo'``, ``foo`` (bare_symbol / identifier in alias)."""
    if node is None:
        return None
    t = node.type
    if t in ("simple_symbol", "hash_key_symbol"):
        return txt(node).lstrip(":")
    if t in ("bare_symbol", "bare_string"):
        return txt(node)
    if t in ("delimited_symbol", "string"):
        parts = node.named_children
        if all(p.type == "string_content" for p in parts):
            return "".join(txt(p) for p in parts)
        return None
    if t in ("identifier", "constant", "operator", "setter"):
        return txt(node)
    return None


def body_statements(node: Node) -> list[Node]:
    """Statements of a class/module/singleton_class body (empty if bodiless)."""
    body = node.child_by_field_name("body")
    if body is None:
        return []
    return [c for c in body.named_children if c.type != "comment"]


def block_body_statements(block: Node) -> list[Node]:
    body = block.child_by_field_name("body")
    if body is None:
        return []
    return [c for c in body.named_children if c.type != "comment"]


_PARAM_KINDS: dict[str, ParamKind] = {
    "optional_parameter": "opt",
    "splat_parameter": "rest",
    "hash_splat_parameter": "keyrest",
    "block_parameter": "block",
}
_ANON: dict[ParamKind, str] = {"rest": "*", "keyrest": "**", "block": "&"}


def params_of(node: Node | None) -> tuple[list[Param], bool]:
    """Parameters of a def or block, and whether the list contains ``...``."""
    params: list[Param] = []
    forwards = False
    if node is None:
        return params, forwards
    for child in node.named_children:
        t = child.type
        if t == "identifier":
            params.append(Param(kind="req", name=txt(child)))
        elif t == "destructured_parameter":
            params.append(Param(kind="req", name=txt(child)))
        elif t in _PARAM_KINDS:
            kind = _PARAM_KINDS[t]
            name_node = child.child_by_field_name("name")
            params.append(Param(kind=kind, name=txt(name_node) if name_node else _ANON.get(kind,
                                                                                           "")))
        elif t == "keyword_parameter":
            has_default = child.child_by_field_name("value") is not None
            params.append(Param(kind="key" if has_default else "keyreq",
                                name=txt(child.child_by_field_name("name"))))
        elif t == "hash_splat_nil":
            params.append(Param(kind="nokey", name="nil"))
        elif t == "forward_parameter":
            forwards = True
            params.extend([Param(kind="rest", name="*"), Param(kind="keyrest", name="**"),
                           Param(kind="block", name="&")])
        elif t == "block_parameters":  # nested in blocks: |a, b|
            inner, fw = params_of(child)
            params.extend(inner)
            forwards = forwards or fw
    return params, forwards


_PASS_THROUGH = ("freeze", "uniq", "dup", "sort", "compact", "flatten")


def list_value(node: Node, const_lists: dict[str, list[str]]) -> list[str] | None:
    """Static value of a list of names: literals, known constants, ``+``, ``.freeze``.

    ``Enumerable.instance_methods(false)`` evaluates to the builtin Enumerable list.
    Returns None when any part is not static. Iterative over ``+`` chains.
    """
    out: list[str] = []
    stack: list[Node | None] = [node]
    while stack:
        cur = stack.pop()
        if cur is None:  # a ``+`` without one of its operands (parse error)
            return None
        t = cur.type
        if t in ("array", "symbol_array", "string_array"):
            for c in cur.named_children:
                v = symbol_value(c)
                if v is None:
                    return None
                out.append(v)
        elif t == "parenthesized_statements":
            kids = [c for c in cur.named_children if c.type != "comment"]
            if len(kids) != 1:
                return None
            stack.append(kids[0])
        elif t == "binary" and txt(cur.child_by_field_name("operator")) == "+":
            stack.append(cur.child_by_field_name("right"))
            stack.append(cur.child_by_field_name("left"))
        elif t == "constant" and txt(cur) in const_lists:
            out.extend(const_lists[txt(cur)])
        elif t == "call":
            method = txt(cur.child_by_field_name("method"))
            receiver = cur.child_by_field_name("receiver")
            if method in _PASS_THROUGH and receiver is not None and \
                    cur.child_by_field_name("arguments") is None:
                stack.append(receiver)
            elif method == "instance_methods" and txt(receiver) == "Enumerable":
                out.extend(sorted(ENUMERABLE))
            else:
                return None
        else:
            return None
    return list(dict.fromkeys(out))  # de-duplicate, keeping first-seen order
