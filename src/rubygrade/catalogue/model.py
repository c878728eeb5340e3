"""The catalogue data model: what one ruby_llm release exposes, as plain data.

A catalogue is produced once per gem release by the extractor and read many
times by the checkers, so the models are frozen pydantic v2 models: the JSON on
disk is validated once on load and then treated as immutable facts.

Parameters follow Ruby's ``Method#parameters`` vocabulary so a signature reads
the same way it would in ``irb``. Anonymous parameters are named after their
sigil (``*``, ``**``, ``&``). A ``(...)`` signature whose target could not be
resolved is stored as ``rest '*'`` + ``keyrest '**'`` + ``block '&'`` with
``forwards=True``; a resolved one carries the target's parameters, with
``forwards=True`` and ``forwards_to`` naming the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rubygrade.catalogue.lookup import CatalogueLookup
from rubygrade.records import Record

ParamKind = Literal["req", "opt", "rest", "keyreq", "key", "keyrest", "block", "nokey"]
Visibility = Literal["public", "protected", "private"]
Origin = Literal[
    "def", "attr", "alias", "define_method", "delegator", "struct", "synthetic", "macro"
]
ClassKind = Literal["class", "module"]

#: Bumped whenever the extractor's output for the same source may change.
EXTRACTOR_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True, kw_only=True)
class Param(Record):
    """One formal parameter, in ``Method#parameters`` terms."""

    kind: ParamKind
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodSig(Record):
    """One method as a caller sees it."""

    name: str
    params: list[Param] = field(default_factory=list)
    visibility: Visibility = "public"
    #: the body contains ``yield``
    yields: bool = False
    #: the method can receive a block: ``&blk``/``&``, ``block_given?``, ``...``, bare ``super``
    takes_block: bool = False
    #: best-effort return hint: ``"self"`` or a fully qualified gem class name
    returns: str | None = None
    #: file (relative to lib/) holding the definition
    defined_in: str = ""
    #: for ``alias``/``alias_method``/``def_delegator``: the original method's name
    alias_of: str | None = None
    #: created by ``define_method`` (or another runtime construct), so less certain
    dynamic: bool = False
    #: signature is ``(...)`` (or an equivalent ``*args, **kw, &blk`` pass-through)
    forwards: bool = False
    #: resolved forwarding target, e.g. ``RubyLLM::Chat#initialize``
    forwards_to: str | None = None
    origin: Origin = "def"

    def param_pairs(self) -> list[list[str]]:
        """``[[kind, name], ...]`` as ``Method#parameters`` would print them."""
        return [[p.kind, p.name] for p in self.params]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassInfo(Record):
    """A class or module of the gem, merged over every file that opens it."""

    name: str
    kind: ClassKind
    superclass: str | None = None
    includes: list[str] = field(default_factory=list)
    extends: list[str] = field(default_factory=list)
    #: constants assigned directly in this namespace (not nested classes/modules)
    constants: list[str] = field(default_factory=list)
    instance_methods: dict[str, MethodSig] = field(default_factory=dict)
    singleton_methods: dict[str, MethodSig] = field(default_factory=dict)
    #: ``class_methods do ... end`` of an ActiveSupport::Concern: singleton methods
    #: of every class that includes this module
    class_methods: dict[str, MethodSig] = field(default_factory=dict)
    #: names of private/protected methods (they hide inherited public ones)
    nonpublic_instance_methods: list[str] = field(default_factory=list)
    nonpublic_singleton_methods: list[str] = field(default_factory=list)
    #: defines ``method_missing`` (instance side) so any name may answer
    open: bool = False
    #: defines a singleton ``method_missing``
    singleton_open: bool = False
    defined_in: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalogue(CatalogueLookup, Record):
    """Everything public in one release of the gem."""

    gem: Literal["ruby_llm"] = "ruby_llm"
    version: str
    commit: str | None = None
    extractor_version: str = EXTRACTOR_VERSION
    classes: dict[str, ClassInfo] = field(default_factory=dict)
