"""Ruby 3 argument binding: would this call raise ArgumentError (or ignore its block)?

Only what is certain is reported. A ``*splat`` or ``**double_splat`` at the
call site makes the counts unknown, so no positional/keyword problem is raised.
Ruby 3 separates positional and keyword arguments, with one exception that
matters for RubyLLM: when the method declares no keyword parameters at all,
brace-less ``k: v`` pairs become one trailing positional Hash. That is why
``chat.add_message(role: :user, content: "x")`` binds to
``add_message(message_or_attributes)``. A method that *does* take keywords never
turns them into a positional (``def m(a, k: 1); m(k: 2)`` raises).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rubygrade.catalogue.model import MethodSig

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

    if not (shape.splat or shape.double_splat):
        positional = shape.positional
        keywords = shape.keywords
        if not accepts_keywords and not no_keywords and keywords:
            positional += 1  # Ruby 3: brace-less keywords become one positional Hash
            keywords = ()
        if positional < required:
            problems.append(BindProblem(
                "too_few_positional",
                f"{sig.name} takes {_arity_text(required, optional, has_rest)} positional "
                f"argument(s), given {positional}",
            ))
        elif not has_rest and positional > required + optional:
            problems.append(BindProblem(
                "too_many_positional",
                f"{sig.name} takes {_arity_text(required, optional, has_rest)} positional "
                f"argument(s), given {positional}",
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
        for kw in keyreq:
            if kw not in keywords:
                problems.append(BindProblem(
                    "missing_keyword", f"{sig.name} requires keyword {kw}:", name=kw
                ))

    if shape.block and not (sig.yields or sig.takes_block or sig.dynamic or sig.forwards):
        if not sig.defined_in.startswith("<builtin"):
            problems.append(BindProblem(
                "unexpected_block",
                f"{sig.name} neither yields nor takes a block; the block is ignored",
                severity="warning",
            ))
    return problems
