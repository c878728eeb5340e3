"""Ruby 3 argument binding: would this call raise ArgumentError (or ignore its block)?

Only what is certain is reported. A ``*splat`` at the call site makes the
positional count unknown and a ``**double_splat`` the keyword set, but what is
written beside them still binds: ``chat.ask(*args, temperature: 0.2)`` passes
``temperature:`` to a method whose keywords do not include it whatever ``args``
holds, and ``m(a, b, *rest)`` passes at least two positionals.
Ruby 3 separates positional and keyword arguments, with one exception that
matters for RubyLLM: when the method declares no keyword parameters at all,
brace-less ``k: v`` pairs become one trailing positional Hash. That is why
``chat.add_message(role: :user, content: "x")`` binds to
``add_message(message_or_attributes)``. A method that *does* take keywords never
turns them into a positional (``def m(a, k: 1); m(k: 2)`` raises).
"""

from __future__ import annotations

from typing import Literal

from tree_sitter import Node

from rubygrade.catalogue.model import MethodSig
from rubygrade.dataclass_lite import dataclass

ProblemKind = Literal[
    "too_many_positional",
    "too_few_positional",
    "unknown_keyword",
    "missing_keyword",
    "unexpected_block",
]


@dataclass(frozen=True)
class CallShape:
    """What a call site passes. ``keywords`` are brace-less ``k: v`` pairs;
    a braced ``{...}`` literal is one positional argument."""

    positional: int = 0
    splat: bool = False
    keywords: tuple[str, ...] = ()
    double_splat: bool = False
    block: bool = False


@dataclass(frozen=True)
class BindProblem:
    """Why a call's arguments do not fit the method's parameters."""

    kind: ProblemKind
    message: str
    name: str | None = None
    #: ``error`` raises ArgumentError at run time; ``warning`` is silently ignored by Ruby
    severity: Literal["error", "warning"] = "error"


def _arity_text(required: int, optional: int, rest: bool) -> str:
    if rest:
        return f"{required}+"
    if optional:
        return f"{required}..{required + optional}"
    return str(required)


def bind(sig: MethodSig, shape: CallShape) -> list[BindProblem]:
    """Problems binding ``shape`` to ``sig`` (empty list when the call is fine)."""
    problems: list[BindProblem] = []
    kinds = [p.kind for p in sig.params]
    required = kinds.count("req")
    optional = kinds.count("opt")
    has_rest = "rest" in kinds
    key_names = {p.name for p in sig.params if p.kind in ("key", "keyreq")}
    keyreq = [p.name for p in sig.params if p.kind == "keyreq"]
    has_keyrest = "keyrest" in kinds
    no_keywords = "nokey" in kinds
    accepts_keywords = bool(key_names) or has_keyrest

    positional = shape.positional
    keywords = shape.keywords
    if not accepts_keywords and not no_keywords and (keywords or shape.double_splat):
        # Ruby 3: brace-less keywords (and a non-empty **hash) become one positional Hash
        if keywords:
            positional += 1
        keywords = ()
        if shape.double_splat:
            shape = CallShape(positional, True, (), False, shape.block)  # 0 or 1 more
    if positional < required and not shape.splat:
        problems.append(BindProblem(
            "too_few_positional",
            f"{sig.name} takes {_arity_text(required, optional, has_rest)} positional "
            f"argument(s), given {positional}",
        ))
    elif not has_rest and positional > required + optional:
        given = f"at least {positional}" if shape.splat else str(positional)
        problems.append(BindProblem(
            "too_many_positional",
            f"{sig.name} takes {_arity_text(required, optional, has_rest)} positional "
            f"argument(s), given {given}",
        ))
    if keywords and not has_keyrest:
        for kw in keywords:
            if kw not in key_names:
                known = ", ".join(sorted(key_names)) or "none"
                problems.append(BindProblem(
                    "unknown_keyword",
                    f"{sig.name} has no keyword {kw}: (keywords: {known})",
                    name=kw,
                ))
    if not shape.double_splat:
        for kw in keyreq:
            if kw not in keywords:
                problems.append(BindProblem(
                    "missing_keyword", f"{sig.name} requires keyword {kw}:", name=kw
                ))

    unresolved_forward = sig.forwards and sig.forwards_to is None
    if shape.block and not (sig.yields or sig.takes_block or sig.dynamic or unresolved_forward):
        if not sig.defined_in.startswith("<builtin"):
            problems.append(BindProblem(
                "unexpected_block",
                f"{sig.name} neither yields nor takes a block; the block is ignored",
                severity="warning",
            ))
    return problems


def call_shape_from_node(call: Node) -> CallShape:
    """Build a :class:`CallShape` from a tree-sitter-ruby ``call`` node.

    ``k: v`` and ``"k" => v`` pairs in the argument list are keywords; a
    ``{...}`` hash literal is positional; ``...`` counts as splat + double splat + block.
    """
    args = call.child_by_field_name("arguments")
    positional = 0
    splat = double_splat = False
    keywords: list[str] = []
    block = call.child_by_field_name("block") is not None
    for arg in args.named_children if args is not None else []:
        t = arg.type
        if t == "comment":
            continue
        if t == "pair":
            key = arg.child_by_field_name("key")
            name = _key_name(key)
            if name is None:
                double_splat = True  # computed key: unknown keyword set
            else:
                keywords.append(name)
        elif t == "splat_argument":
            splat = True
        elif t == "hash_splat_argument":
            double_splat = True
        elif t == "block_argument":
            block = True
        elif t == "forward_argument":
            splat = double_splat = block = True
        else:
            positional += 1
    return CallShape(positional=positional, splat=splat, keywords=tuple(keywords),
                     double_splat=double_splat, block=block)


def _key_name(key: Node | None) -> str | None:
    if key is None:
        return None
    raw = key.text.decode("utf-8", errors="replace") if key.text else ""
    if key.type == "hash_key_symbol":
        return raw
    if key.type == "simple_symbol":
        return raw.lstrip(":")
    if key.type in ("string", "delimited_symbol"):
        parts = key.named_children
        if all(p.type == "string_content" for p in parts):
            return "".join(p.text.decode("utf-8", errors="replace") for p in parts if p.text)
    return None
