"""The facts the index records about Ruby code, one small dataclass per kind of fact.

Entries keep a reference to their tree-sitter node so checks can look closer
(argument values, block bodies) without re-parsing; they are internal to a run
and never serialised. Line numbers are 1-based and, for ERB, template lines.
The classes have ``__slots__``: a large app has a hundred thousand call sites, and
a slotted fact is a third the size of one with a ``__dict__``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tree_sitter import Node

from rubygrade import treeutil

ParamKind = Literal["req", "opt", "rest", "keyreq", "key", "keyrest", "block", "nokey", "forward"]
ArgKind = Literal["positional", "splat", "keyword", "double_splat", "block_pass", "forward"]
Visibility = Literal["public", "private", "protected"]

# Exception classes whose rescue is a blanket: it swallows far more than LLM errors.
BLANKET_EXCEPTIONS = {"StandardError", "Exception", "RuntimeError", "Object"}


@dataclass(frozen=True, slots=True)
class Param:
    kind: ParamKind
    name: str


@dataclass(frozen=True, slots=True)
class RescueClause:
    """One ``rescue`` clause that lexically guards a region of code."""

    path: str
    line: int
    exceptions: tuple[str, ...]  # constant names as written; () is a bare rescue
    variable: str | None
    scope: Literal["begin", "method", "block", "class", "modifier"]
    node: Node = field(compare=False, repr=False)
    dynamic: bool = False  # a splat or non-constant expression in the list

    @property
    def bare(self) -> bool:
        return not self.exceptions and not self.dynamic

    @property
    def blanket(self) -> bool:
        """Bare, ``=> e``, StandardError or Exception: catches everything an LLM call raises."""
        return self.bare or any(e.removeprefix("::") in BLANKET_EXCEPTIONS for e in self.exceptions)


@dataclass(eq=False, slots=True, weakref_slot=True)
class ClassDef:
    """One ``class``/``module`` body (a reopened class has several)."""

    name: str  # fully qualified, as nesting makes it
    kind: Literal["class", "module"]
    superclass: str | None
    path: str
    line: int
    end_line: int
    node: Node = field(repr=False)
    includes: list[str] = field(default_factory=list)
    extends: list[str] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        return self.name.rsplit("::", 1)[-1]


@dataclass(eq=False, slots=True, weakref_slot=True)
class MethodDef:
    """A method, an ``attr_*`` accessor, or a test block (``test "x" do``) treated as a method."""

    name: str
    owner: str  # fully qualified class/module name, "" at top level
    singleton: bool
    params: tuple[Param, ...]
    visibility: Visibility
    path: str
    line: int
    end_line: int
    node: Node = field(repr=False)
    #: "template"/"task"/"callbacks": the top-level code of a view, a rake file, or the
    #: callback blocks of a class body, as the call graph's pseudo-methods
    kind: Literal["def", "attr", "test", "block", "template", "task", "callbacks"] = "def"
    rescues: tuple[RescueClause, ...] = ()  # method-level rescue clauses

    @property
    def key(self) -> str:
        """``Owner#name`` or ``Owner.name``: the call-graph node name."""
        sep = "." if self.singleton else "#"
        return f"{self.owner}{sep}{self.name}"

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")

    @property
    def line_count(self) -> int:
        return self.end_line - self.line + 1


# Not frozen, yet hashed and compared as a frozen one would be (by kind and name): one is
# built for every argument of every call, and a frozen dataclass's ``__init__`` costs 2.5x.
# Treat it as read-only.
@dataclass(unsafe_hash=True, slots=True)
class Arg:
    kind: ArgKind
    node: Node = field(compare=False, repr=False)
    name: str | None = None  # the keyword's name for kind="keyword"

    @property
    def value(self) -> Node:
        """The argument's expression (for a keyword, the value after ``key:``)."""
        if self.kind == "keyword":
            return self.node.child_by_field_name("value") or self.node
        if self.kind in ("splat", "double_splat", "block_pass") and self.node.named_children:
            return self.node.named_children[0]
        return self.node


@dataclass(eq=False, slots=True, weakref_slot=True)
class CallSite:
    """A method call: ``recv.name(args) { block }``, ``name args``, or a bare ``name``."""

    path: str
    line: int
    column: int
    method: str
    receiver: Node | None = field(repr=False)
    args: tuple[Arg, ...]
    block: Node | None = field(repr=False)
    node: Node = field(repr=False)
    enclosing_method: MethodDef | None = field(repr=False)
    enclosing_class: str | None
    rescues: tuple[RescueClause, ...] = ()  # lexically enclosing, innermost first
    bare: bool = False  # a lone identifier that is not a known local: maybe a call

    # Read off the node when asked rather than stored: no check reads them, and the indexer
    # saves a field lookup per call site.
    @property
    def safe_navigation(self) -> bool:
        """``recv&.name``."""
        operator = self.node.child_by_field_name("operator")
        return operator is not None and operator.type == "&."

    @property
    def parenthesized(self) -> bool:
        """``name(args)`` rather than ``name args``."""
        arguments = self.node.child_by_field_name("arguments")
        return arguments is not None and bool(arguments.children) and \
            arguments.children[0].type == "("

    @property
    def receiver_text(self) -> str:
        return treeutil.text(self.receiver) if self.receiver is not None else ""

    @property
    def receiver_constant(self) -> str | None:
        return treeutil.constant_name(self.receiver)

    @property
    def keywords(self) -> list[str]:
        return [a.name for a in self.args if a.kind == "keyword" and a.name]

    def keyword(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.kind == "keyword" and a.name == name), None)

    @property
    def positional(self) -> list[Arg]:
        return [a for a in self.args if a.kind == "positional"]

    @property
    def has_block(self) -> bool:
        return self.block is not None or any(a.kind == "block_pass" for a in self.args)

    @property
    def end_line(self) -> int:
        return treeutil.end_line_of(self.node)


@dataclass(eq=False, slots=True, weakref_slot=True)
class Assignment:
    """A write to a variable or constant: ``x = v``, ``@x ||= v``, ``@@x += v``, ``X = v``."""

    target: Literal["local", "ivar", "cvar", "global", "constant", "other"]
    name: str
    operator: str  # "=", "||=", "+=", ...
    value: Node | None = field(repr=False)
    path: str
    line: int
    node: Node = field(repr=False)
    enclosing_method: MethodDef | None = field(repr=False)
    enclosing_class: str | None
    class_level: bool  # in a class body, a singleton method or ``class << self``
