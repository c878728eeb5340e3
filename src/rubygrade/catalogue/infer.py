"""Best-effort return hints and forwarding targets, read from method bodies.

Only plain shapes are understood: ``self``, ``Const.new(...)``, a call to a
method whose hint is known, a local or instance variable assigned one of
those, and branches (``a ? b : c``, ``if``, ``x || y``) whose known arms agree.
Anything else yields None. These hints let ``def with_tool(...) = to_llm.with_tool(...)``
resolve to ``RubyLLM::Chat#with_tool`` and mark ``with_*`` chains as returning ``self``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade.catalogue.drafts import MethodDraft
from rubygrade.catalogue.rubyast import name_of_const, txt

if TYPE_CHECKING:
    from rubygrade.catalogue.resolve import Resolver

# A type: ("self",) | ("i", fq) instance of fq | ("s", fq) the class/module fq itself
Type = tuple[str, ...]
_SKIP = ("comment", "rescue", "ensure")
_BRANCHY = ("if", "unless", "conditional", "case", "begin", "then", "else", "when",
            "parenthesized_statements", "body_statement", "elsif")


class Inferrer:
    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self._ivars: dict[str, list[tuple[Node | None, MethodDraft]]] = {}

    # -- public ----------------------------------------------------------------------
    def infer_all(self, methods: list[MethodDraft]) -> bool:
        changed = False
        for m in methods:
            if m.returns is not None or m.body is None:
                continue
            t = self.expr(_last(m.body), m, 0)
            value = _to_hint(t, m)
            if value is not None:
                m.returns = value
                changed = True
        return changed

    def forward_target(self, m: MethodDraft) -> MethodDraft | None:
        f = m.forward
        if f is None:
            return None
        if f.is_super:
            return self.r.find(m.owner, m.name, m.singleton, skip_self=True)
        recv = f.receiver
        if recv is None or recv.type == "self":
            return self.r.find(m.owner, f.method, m.singleton)
        t = self.expr(recv, m, 0)
        return self._method_on(t, f.method, m)

    # -- helpers -------------------------------------------------------------------------
    def _method_on(self, t: Type | None, name: str, ctx: MethodDraft) -> MethodDraft | None:
        if t is None:
            return None
        if t[0] == "self":
            return self.r.find(ctx.owner, name, ctx.singleton)
        if t[1] not in self.r.drafts:
            return None
        return self.r.find(t[1], name, t[0] == "s")

    def _call_type(self, t: Type | None, name: str, ctx: MethodDraft, depth: int) -> Type | None:
        if t == ("self",) and name == "new" and ctx.singleton:
            draft = self.r.drafts.get(ctx.owner)
            if draft is not None and draft.kind == "class":
                return ("i", ctx.owner)
        target = self._method_on(t, name, ctx)
        if target is None:
            return None
        if target.returns is None:
            return None
        if target.returns == "self":
            if t is not None and t[0] == "self":
                return ("self",)
            return ("i", target.owner) if t is None else t
        return ("i", target.returns)

    def expr(self, node: Node | None, ctx: MethodDraft, depth: int) -> Type | None:
        if node is None or depth > 8:
            return None
        t = node.type
        if t == "self":
            return ("self",)
        if t in ("constant", "scope_resolution"):
            name = name_of_const(node)
            if name is None:
                return None
            fq = self.r.resolve_const(name, ctx.nesting)
            return ("s", fq) if fq in self.r.drafts else None
        if t == "call":
            recv = node.child_by_field_name("receiver")
            method = txt(node.child_by_field_name("method"))
            if recv is None:
                return self._call_type(("self",), method, ctx, depth)
            rt = self.expr(recv, ctx, depth + 1)
            if rt is not None and rt[0] == "s" and method == "new":
                fq = rt[1]
                return ("i", fq) if self.r.drafts[fq].kind == "class" else None
            if method in ("tap", "freeze", "dup"):
                return rt
            return self._call_type(rt, method, ctx, depth)
        if t == "identifier":
            assigned = _local_assignments(ctx.body, txt(node))
            if assigned:
                return _merge(self.expr(a, ctx, depth + 1) for a in assigned)
            if any(p.name == txt(node) for p in ctx.params):
                return None
            return self._call_type(("self",), txt(node), ctx, depth)
        if t == "instance_variable":
            return _merge(self.expr(rhs, owner_m, depth + 1)
                          for rhs, owner_m in self._ivar_assignments(ctx, txt(node)))
        if t in ("assignment", "operator_assignment"):
            return self.expr(node.child_by_field_name("right"), ctx, depth + 1)
        if t == "binary" and txt(node.child_by_field_name("operator")) in ("||", "or"):
            return _merge([self.expr(node.child_by_field_name("left"), ctx, depth + 1),
                           self.expr(node.child_by_field_name("right"), ctx, depth + 1)])
        if t in _BRANCHY:
            return _merge(self.expr(arm, ctx, depth + 1) for arm in _arms(node))
        return None

    def _ivar_assignments(self, ctx: MethodDraft,
                          ivar: str) -> list[tuple[Node | None, MethodDraft]]:
        key = f"{ctx.owner}{ctx.singleton}{ivar}"
        if key not in self._ivars:
            found: list[tuple[Node | None, MethodDraft]] = []
            draft = self.r.drafts.get(ctx.owner)
            table = (draft.singleton if ctx.singleton else draft.instance) if draft else {}
            for m in table.values():
                stack = [m.body] if m.body is not None else []
                while stack:
                    n = stack.pop()
                    if n.type in ("assignment", "operator_assignment"):
                        left = n.child_by_field_name("left")
                        if left is not None and txt(left) == ivar:
                            found.append((n.child_by_field_name("right"), m))
                    stack.extend(n.named_children)
            self._ivars[key] = found
        return self._ivars[key]


def _to_hint(t: Type | None, m: MethodDraft) -> str | None:
    if t is None:
        return None
    if t[0] == "self":
        return "self"
    if t[0] == "i":
        return t[1]
    return None


def _merge(types) -> Type | None:
    known = {t for t in types if t is not None}
    return known.pop() if len(known) == 1 else None


def _last(body: Node | None) -> Node | None:
    if body is None:
        return None
    if body.type != "body_statement":
        return body
    kids = [c for c in body.named_children if c.type not in _SKIP]
    return kids[-1] if kids else None


def _arms(node: Node) -> list[Node]:
    """The value-producing children of a branching node."""
    t = node.type
    if t == "conditional":
        return [c for c in (node.child_by_field_name("consequence"),
                            node.child_by_field_name("alternative")) if c is not None]
    if t in ("if", "unless", "elsif"):
        arms = []
        for field in ("consequence", "alternative"):
            c = node.child_by_field_name(field)
            if c is not None:
                arms.append(c)
        return arms
    if t == "case":
        return [c for c in node.named_children if c.type in ("when", "else")]
    kids = [c for c in node.named_children if c.type not in _SKIP]
    if t == "when":
        body = node.child_by_field_name("body")
        return [body] if body is not None else []
    return kids[-1:] if kids else []


def _local_assignments(body: Node | None, name: str) -> list[Node | None]:
    """Right-hand sides of the last top-level ``name = ...`` in a method body.

    A right-hand side is None when the parse broke off; it still counts as an
    assignment (of an unknown type).
    """
    if body is None or body.type != "body_statement":
        return []
    found: list[Node | None] = []
    for stmt in body.named_children:
        if stmt.type in ("assignment", "operator_assignment"):
            left = stmt.child_by_field_name("left")
            if left is not None and left.type == "identifier" and txt(left) == name:
                found = [stmt.child_by_field_name("right")]
    return found
