"""Mutable working records the extractor fills while reading files.

The extractor reads every file once and can only finish a class after all
files are read (classes are reopened across files, aliases and forwards point
at methods defined elsewhere), so it collects drafts first and turns them into
frozen :mod:`~rubygrade.catalogue.model` objects at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from rubygrade.catalogue.model import ClassKind, Origin, Param, Visibility


@dataclass
class ForwardTarget:
    """Where a ``(...)`` / ``*a, **k, &b`` method sends its arguments."""

    receiver: Node | None  # None: implicit self
    method: str
    nesting: tuple[str, ...]
    #: keywords the forwarding call adds itself (``context: self``), hidden from callers
    fixed_keywords: tuple[str, ...] = ()
    is_super: bool = False


@dataclass
class MethodDraft:
    name: str
    params: list[Param]
    visibility: Visibility
    owner: str
    singleton: bool
    defined_in: str
    nesting: tuple[str, ...] = ()
    yields: bool = False
    takes_block: bool = False
    alias_of: str | None = None
    dynamic: bool = False
    forwards: bool = False
    forward: ForwardTarget | None = None
    forwards_to: str | None = None
    origin: Origin = "def"
    body: Node | None = None
    returns: str | None = None
    #: alias whose target was not found when read (it may be inherited)
    pending_alias: bool = False


@dataclass
class ClassDraft:
    name: str
    kind: ClassKind
    superclass_raw: tuple[str, tuple[str, ...]] | None = None
    superclass: str | None = None
    includes_raw: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    extends_raw: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    constants: set[str] = field(default_factory=set)
    const_lists: dict[str, list[str]] = field(default_factory=dict)
    instance: dict[str, MethodDraft] = field(default_factory=dict)
    singleton: dict[str, MethodDraft] = field(default_factory=dict)
    class_methods: dict[str, MethodDraft] = field(default_factory=dict)
    open: bool = False
    singleton_open: bool = False
    files: set[str] = field(default_factory=set)
    #: class-body calls ``name :sym, ...`` that may be accessor macros (name, symbols, file)
    macro_calls: list[tuple[str, list[str], str]] = field(default_factory=list)
    #: (name, visibility) set by ``private :x`` for a method not defined here (inherited)
    visibility_overrides: list[tuple[str, bool, Visibility]] = field(default_factory=list)
