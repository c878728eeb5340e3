"""Check every call on a typed RubyLLM receiver against the catalogue, once per run.

The rules RG201 (unknown method) and RG203 (arguments do not bind) report the
problems found here; computing them together keeps the two rules consistent
(a call is never both "unknown" and "badly bound").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.companions import additions
from rubygrade.analysis.roles import load_roles
from rubygrade.analysis.values import RType, ValueFlow
from rubygrade.catalogue.binding import BindProblem, CallShape, bind
from rubygrade.catalogue.store import available_versions
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.catalogue.model import Catalogue, ClassInfo, MethodSig
    from rubygrade.index import Index

#: Methods test frameworks add to every object (Minitest ``stub``, mocha, RSpec):
#: calling them on a RubyLLM value is not a call of the gem's API.
TEST_DOUBLE_METHODS = {
    "stub", "stubs", "expects", "any_instance", "stub_any_instance", "unstub", "should",
    "should_not", "should_receive", "and_return", "returns", "with", "yields", "raises",
    "stub_chain", "mock", "instance_variable_set", "instance_variable_get", "send",
    "public_send", "__send__", "method", "respond_to?", "singleton_class", "extend",
    "define_singleton_method", "instance_eval", "instance_exec", "tap", "then", "freeze",
    "dup", "clone", "itself", "is_a?", "kind_of?", "instance_of?", "class", "nil?",
    "present?", "blank?", "presence", "try", "try!", "to_json", "as_json", "inspect",
    "object_id", "hash", "frozen?", "in?", "instance_variables", "instance_values",
    # ActiveSupport core extensions every object has in a Rails app
    "to_param", "to_query", "deep_dup", "duplicable?", "acts_like?", "with_options",
    "presence_in", "instance_variable_defined?", "public_method", "equal?", "eql?",
    "html_safe?", "to_yaml", "pretty_inspect", "display",
}

#: How findings word the well-known invented shapes (the shapes themselves: roles.toml).
SHAPE_WORDS = {
    "fluent_dsl": "the invented fluent DSL (chat.user/assistant/system)",
    "response_text": "a response accessor from other LLM libraries",
    "openai_choices": "the OpenAI response shape (choices)",
    "batch_call": "the invented batch call (RubyLLM.chat(messages: [...]))",
    "block_form": "the invented block form (with_model { |c| ... })",
    "send_message": "an invented send method",
}


@dataclass(frozen=True)
class UnknownMethod:
    call: CallSite
    receiver: RType
    name: str
    singleton: bool
    private: bool
    shape: str | None


@dataclass(frozen=True)
class BadBinding:
    call: CallSite
    receiver: RType
    sig: MethodSig
    problems: tuple[BindProblem, ...]
    shape: str | None


@dataclass
class CallProblems:
    unknown: list[UnknownMethod]
    binding: list[BadBinding]


class _CalledNames:
    """The method each call calls: ``config.key = v`` (and ``config.key ||= v``, whose write
    is checked; the read has the same name minus '=') calls ``key=``. A call is the ``left``
    of an assignment exactly when the index recorded a write to it (an ``other`` target):
    no call climbs to its parent (``Node.parent`` searches down from the root)."""

    def __init__(self, index: Index) -> None:
        self._written = {left for a in index.assignments if a.target == "other"
                         if (left := a.node.child_by_field_name("left")) is not None}

    def of(self, call: CallSite) -> str:
        return call.method + "=" if call.node in self._written else call.method


def check_calls(facts: Facts, types: ValueFlow) -> CallProblems:
    """Every call on a RubyLLM value in the app's code, checked against the catalogue.

    Receivers whose role is not certain (it survived an unchecked step) are not checked:
    a claim about them could be false. Receiver-less calls inside an acts_as_chat model
    or a gem subclass are calls on ``self`` and are checked like ``self.ask(...)``.
    """
    out = CallProblems([], [])
    if types.catalogue is None:
        return out
    catalogue = _CachedCatalogue(types.catalogue)
    added = additions(facts.project)
    names = _CalledNames(facts.index)
    may_guard: dict[str, _GuardText | None] = {}  # per file: what guards can it hold?
    code: dict[str, bool] = {}  # per file: is it code? (asked once per file, not per call)
    for call in facts.index.calls:
        if call.bare or call.method in TEST_DOUBLE_METHODS:
            continue
        if call.receiver is None and call.enclosing_method is None:
            continue  # class-body macros (acts_as_chat, has_many): not calls on an instance
        is_code = code.get(call.path)
        if is_code is None:
            is_code = code[call.path] = facts.project.is_code(call.path)
        if not is_code:
            continue
        if call.path in may_guard:
            guards = may_guard[call.path]
        else:
            guards = may_guard[call.path] = _GuardText.of(facts, call.path)
        if guards is not None and guards.may_guard(names.of(call)) and \
                _guarded(call.node, names.of(call)):
            continue
        recv = types.receiver_type(call)
        if recv is None or not recv.is_rubyllm or not recv.certain:
            continue
        if call.receiver is None:
            # Implicit self also answers Kernel and ActiveRecord methods (raise, Array, save):
            # only the gem's own methods are checked, and only for how they bind.
            if recv.kind in ("record", "subclass"):
                _check_self_call(facts.index, catalogue, call, recv, out)
            continue
        name = names.of(call)
        if added.adds_method(recv.owner, name):
            continue  # ``chat.with_resource`` of a locked ruby_llm-mcp
        _check_call(facts.index, catalogue, call, recv, name, out)
    return out


def _check_call(index: Index, cat: _CachedCatalogue, call: CallSite, recv: RType, name: str,
                out: CallProblems) -> None:
    """Check ``call`` (of method ``name``, see :class:`_CalledNames`) on ``recv``."""
    if recv.kind == "collection" or (recv.kind == "module" and recv.app_class is not None):
        return  # an Array of messages, or an app model class: not the gem's API
    if recv.kind == "subclass" and _check_subclass(index, cat, call, recv, name, out):
        return
    if recv.kind in ("record", "subclass"):
        # ActiveRecord/app methods (columns, associations) are unknown here: only gem methods
        # the app does not override are checked, and only for binding.
        if recv.app_class and _app_defines(index, recv.app_class, name):
            return
        sig = cat.find_method(recv.owner, name)
        if sig is not None and name == call.method and _own_gem_method(cat, recv.owner, name):
            _check_binding(cat, call, recv, sig, out)
        return
    singleton = recv.kind == "module"
    if cat.get_class(recv.owner) is None:
        return  # a constant the gem does not define: RG202's business
    if cat.is_open(recv.owner, singleton=singleton):
        return
    sig = cat.find_method(recv.owner, name, singleton=singleton)
    if sig is None:
        private = cat.nonpublic_visibility(recv.owner, name, singleton) is not None
        shape = load_roles().shape_of(recv.owner, name, singleton)
        out.unknown.append(UnknownMethod(call, recv, name, singleton, private, shape))
        return
    if name == call.method:  # a setter written as ``x.key = v`` always passes one value
        _check_binding(cat, call, recv, sig, out)


def _check_self_call(index: Index, cat: _CachedCatalogue, call: CallSite, recv: RType,
                     out: CallProblems) -> None:
    """``ask(t, temperature: 0.1)`` inside an acts_as_chat model: binds like ``self.ask``."""
    name = call.method
    if recv.app_class and _app_defines(index, recv.app_class, name):
        return
    sig = cat.find_method(recv.owner, name)
    if sig is not None and _own_gem_method(cat, recv.owner, name):
        _check_binding(cat, call, recv, sig, out)


def _check_subclass(index: Index, cat: _CachedCatalogue, call: CallSite, recv: RType, name: str,
                    out: CallProblems) -> bool:
    """An instance of an app subclass of a gem class (``class Helper < RubyLLM::Agent``):
    a name neither the app nor the gem defines is unknown. True when reported."""
    assert recv.app_class is not None
    if cat.get_class(recv.owner) is None or cat.is_open(recv.owner):
        return False
    if _app_defines(index, recv.app_class, name) or not _closed_app_class(index, recv.app_class):
        return False
    if cat.find_method(recv.owner, name) is not None:
        return False
    private = cat.nonpublic_visibility(recv.owner, name) is not None
    out.unknown.append(UnknownMethod(call, recv, name, False, private, None))
    return True


class _CachedCatalogue:
    """The catalogue questions the checks ask, memoised for one run of :func:`check_calls`:
    the same owner and name come back for every call of them, and the catalogue does not
    change during the run."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._classes: dict[str, ClassInfo | None] = {}
        self._open: dict[tuple[str, bool], bool] = {}
        self._methods: dict[tuple[str, str, bool], MethodSig | None] = {}
        self._bindings: dict[tuple[int, CallShape], tuple[MethodSig, tuple[BindProblem, ...]]] = {}

    def get_class(self, fqname: str) -> ClassInfo | None:
        if fqname not in self._classes:
            self._classes[fqname] = self.catalogue.get_class(fqname)
        return self._classes[fqname]

    def is_open(self, fqname: str, singleton: bool = False) -> bool:
        key = (fqname, singleton)
        if key not in self._open:
            self._open[key] = self.catalogue.is_open(fqname, singleton=singleton)
        return self._open[key]

    def find_method(self, owner: str, name: str, singleton: bool = False) -> MethodSig | None:
        key = (owner, name, singleton)
        if key not in self._methods:
            self._methods[key] = self.catalogue.find_method(owner, name, singleton=singleton)
        return self._methods[key]

    def bind(self, sig: MethodSig, shape: CallShape) -> tuple[BindProblem, ...]:
        """:func:`bind`, once per signature and shape (keyed by the signature's identity;
        the memo keeps the signature, so no other object takes its id meanwhile)."""
        key = (id(sig), shape)
        known = self._bindings.get(key)
        if known is None:
            known = self._bindings[key] = (sig, tuple(bind(sig, shape)))
        return known[1]

    def nonpublic_visibility(self, owner: str, name: str, singleton: bool = False) -> str | None:
        return self.catalogue.nonpublic_visibility(owner, name, singleton)

    def ancestors(self, fqname: str) -> list[str]:
        return self.catalogue.ancestors(fqname)


def _closed_app_class(index: Index, cls: str) -> bool:
    """The app class and its app ancestors mix in only app modules and define no
    ``method_missing``: every method it has is visible to the index."""
    for owner in index.ancestors(cls):
        if owner.startswith("RubyLLM"):
            break
        if any(not index.class_defs(index.resolve_constant(inc, owner))
               for inc in index.includes_of(owner)):
            return False
        if any(cd.extends for cd in index.class_defs(owner)):
            return False
        if any(m.name in ("method_missing", "respond_to_missing?")
               for m in index.methods_of(owner)):
            return False
    return True


def _own_gem_method(cat: _CachedCatalogue, owner: str, name: str) -> bool:
    """``name`` is defined by the gem module itself, not a builtin fallback."""
    return any(name in info.instance_methods for anc in cat.ancestors(owner)
               if (info := cat.get_class(anc)) is not None)


def _app_defines(index: Index, cls: str, name: str) -> bool:
    owners = list(index.ancestors(cls))
    for owner in list(owners):
        owners += index.includes_of(owner)
    return any(m.name == name for owner in owners for m in index.methods_of(owner, False))


def call_shape(call: CallSite) -> CallShape | None:
    """The shape of the arguments; None when a keyword's name is not a plain symbol."""
    positional = 0
    keywords: list[str] = []
    splat = double = False
    for arg in call.args:
        if arg.kind == "positional":
            positional += 1
        elif arg.kind == "keyword":
            if arg.name is None or _string_keyed(arg.node):
                return None  # ``"k" => v`` pairs: not keywords, not worth guessing
            keywords.append(arg.name)
        elif arg.kind == "splat":
            splat = True
        elif arg.kind in ("double_splat", "forward"):
            double = splat = True
    return CallShape(positional=positional, splat=splat, keywords=tuple(keywords),
                     double_splat=double, block=call.has_block)


def _string_keyed(pair: Node) -> bool:
    key = pair.child_by_field_name("key")
    return key is not None and key.type not in ("hash_key_symbol",)


def _check_binding(cat: _CachedCatalogue, call: CallSite, recv: RType, sig: MethodSig,
                   out: CallProblems) -> None:
    shape = call_shape(call)
    if shape is None:
        return
    problems = cat.bind(sig, shape)
    if not problems:
        return
    kind = None
    if call.block is not None and any(p.kind == "unexpected_block" for p in problems):
        kind = "block_form"
    else:
        sep = "." if recv.kind == "module" else "#"
        invented = load_roles().invented_keywords
        kind = next((invented[key] for p in problems if p.kind == "unknown_keyword" and
                     (key := f"{recv.owner}{sep}{sig.name}:{p.name}") in invented), None)
    out.binding.append(BadBinding(call, recv, sig, problems, kind))


def _may_guard(facts: Facts, path: str) -> bool:
    """Whether the file's code holds ``defined?`` or ``respond_to?`` at all: the text
    :func:`_guarded` looks for in a call's ancestors is a part of it, so without either
    no call of the file is guarded and no ancestors need climbing."""
    source = facts.project.files.get(path)
    if source is None:
        return True
    text = source.text
    return "defined?" in text or "respond_to?" in text


class _GuardText:
    """The code of a file that may guard calls (:func:`_may_guard`), as its tree holds it:
    every text :func:`_guarded` reads is a part of it, so a call whose name no
    ``respond_to?`` probe in it names, in a file without ``defined?``, is not guarded."""

    def __init__(self, code: bytes | None) -> None:
        self._code = code  # None: unknown, every call may be guarded
        self._defined = code is None or b"defined?" in code
        # where a name may follow ``respond_to?(:`` or ``respond_to? :``
        self._probes = [] if code is None else [
            at + len(opener) for opener in (b"respond_to?(:", b"respond_to? :")
            for at in _occurrences(code, opener)]
        self._probed: dict[str, bool] = {}

    @classmethod
    def of(cls, facts: Facts, path: str) -> _GuardText | None:
        """None when no call of the file can be guarded."""
        if not _may_guard(facts, path):
            return None
        source = facts.project.files.get(path)
        root = source.root if source is not None else None
        return cls(root.text if root is not None else None)

    def may_guard(self, name: str) -> bool:
        """Whether a call of ``name`` may be guarded: the file holds ``defined?``, or
        ``respond_to?(:name`` (or ``respond_to? :name``) as :func:`_guarded` looks for it."""
        if self._defined or self._code is None:
            return True
        found = self._probed.get(name)
        if found is None:
            code, wanted = self._code, name.encode()
            found = self._probed[name] = any(code.startswith(wanted, at) for at in self._probes)
        return found


def _occurrences(text: bytes, part: bytes) -> Iterator[int]:
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


def _guarded(node: Node, name: str = "") -> bool:
    """Inside ``defined?(...)``, or under ``if x.respond_to?(:name)``: absence is expected."""
    probe = f"respond_to?(:{name}" if name else None
    for anc in treeutil.ancestors(node):
        if anc.type == "defined?" or (anc.type == "unary" and treeutil.text(anc).startswith(
                "defined?")):
            return True
        if probe and anc.type in ("if", "elsif", "if_modifier", "unless", "unless_modifier",
                                  "conditional", "binary"):
            condition = anc.child_by_field_name("condition") or anc
            text = treeutil.text(condition)
            if probe in text or probe.replace("(:", " :") in text:
                return True
        if anc.type in ("method", "singleton_method", "class", "module"):
            return False
    return False


def version_ranges(present: list[str], every: list[str]) -> str:
    """Catalogued releases as runs: ``1.0.0–1.6.1, 1.9.0``; "" when none."""
    have = set(present)
    runs: list[tuple[str, str]] = []
    start = prev = None
    for version in every:
        if version in have:
            start = start or version
            prev = version
        elif start is not None:
            runs.append((start, prev or start))
            start = prev = None
    if start is not None:
        runs.append((start, prev or start))
    return ", ".join(a if a == b else f"{a}–{b}" for a, b in runs)


def catalogued_in(present: list[str]) -> tuple[str, str]:
    """Where a name missing from the locked version exists after all.

    Returns the runs of catalogued releases that have it (see :func:`version_ranges`)
    and the clause findings quote: "it exists in …" or "no catalogued version has it".
    """
    where = version_ranges(present, available_versions())
    return where, f"it exists in {where}" if where else "no catalogued version has it"
