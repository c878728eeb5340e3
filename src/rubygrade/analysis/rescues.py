"""What a ``rescue`` catches, by exception class hierarchy: the one place that answers it.

An LLM request raises the gem's errors (``RubyLLM::Error`` and its subclasses, and
the non-HTTP errors such as ``RubyLLM::ModelNotFoundError``, all from the catalogue
of the locked version) and transport errors (Faraday's, from ``roles.toml``). A
bypass call raises its client's errors and transport errors.

``rescue C`` catches an exception ``e`` when ``C`` is one of ``e``'s classes'
ancestors, as Ruby decides it. Ancestors come from the catalogue (gem classes), the
roles data (Ruby's own exceptions, Faraday), and the index (app classes, whose
``superclass`` is resolved the way Ruby's lexical lookup would). Consequences:

- ``rescue ArgumentError, RuntimeError`` around ``chat.ask`` catches nothing the call
  raises;
- ``rescue MyApp::RateLimitExceeded`` (an app class) catches nothing the gem raises:
  the gem never raises the app's classes. It does catch what an inner handler
  re-raises as ``MyApp::RateLimitExceeded``;
- ``rescue RubyLLM::NoSuchError`` (absent from the catalogue) raises NameError when an
  error arrives (RG204), so it catches nothing;
- another gem's class (``rescue Telegram::Bot::Error``) catches nothing a RubyLLM
  request raises: the raised classes' whole chains are known (catalogue, data), and
  the other gem's class is not in them. Only when the raised class's chain is unknown,
  or the rescued name is a constant the app assigns (an alias), is a rescue the
  analysis cannot judge assumed to catch, so it never yields a false "unguarded" claim.

A handler that re-raises does not guard: ``raise``/``raise e`` lets the same
exception out, ``raise Other`` lets ``Other`` out (only unconditional raises count:
``raise if retries > 3`` may well swallow it).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.roles import load_roles
from rubygrade.dataclass_lite import dataclass

if TYPE_CHECKING:
    from rubygrade.analysis import Facts

#: The marker for "whatever the handler caught" in a re-raised set.
SAME = "<same>"
_UNKNOWN = "<unknown>"
_CONDITIONAL = ("if_modifier", "unless_modifier", "if", "unless", "case", "while", "until",
                "conditional", "binary", "block", "do_block", "begin", "rescue_modifier")


def is_typed_llm(name: str) -> bool:
    """``rescue RubyLLM::...`` or a transport error: a handler meant for LLM failures."""
    roles = load_roles()
    name = name.removeprefix("::")
    return name.startswith("RubyLLM::") or name in roles.transport_errors or \
        name.startswith(("Faraday::", "Net::", "Timeout::")) or name == "SocketError"


@dataclass(frozen=True)
class Reraise:
    """What escapes a handler: nothing (it guards), the same exception, or new classes."""

    classes: frozenset[str] = frozenset()
    same: bool = False

    @property
    def guards(self) -> bool:
        return not self.same and not self.classes


def reraise_of(body: Node | None) -> Reraise:
    """The unconditional ``raise``/``fail`` statements at the top of a handler's body."""
    if body is None:
        return Reraise()
    classes: set[str] = set()
    same = False
    for statement in body.named_children:
        raised = _raise_statement(statement)
        if raised is None:
            continue
        if raised == SAME:
            same = True
        else:
            classes.add(raised)
    return Reraise(frozenset(classes), same)


def _raise_statement(node: Node) -> str | None:
    """``raise`` -> SAME; ``raise e`` -> SAME; ``raise X, "m"``/``raise X.new(...)`` -> "X"."""
    if node.type == "identifier" and treeutil.text(node) in ("raise", "fail"):
        return SAME
    if node.type != "call" or node.child_by_field_name("receiver") is not None:
        return None
    if treeutil.text(node.child_by_field_name("method")) not in ("raise", "fail"):
        return None
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type in ("identifier", "instance_variable"):
        return SAME  # ``raise e``: the caught exception (or a variable holding one)
    if first.type in ("string", "string_array"):
        return "RuntimeError"
    const = treeutil.constant_name(first)
    if const is None and first.type == "call" and \
            treeutil.text(first.child_by_field_name("method")) in ("new", "exception"):
        const = treeutil.constant_name(first.child_by_field_name("receiver"))
    return const.removeprefix("::") if const else _UNKNOWN


class RescueModel:
    """Exception ancestry and what handlers catch, for one run."""

    def __init__(self, facts: Facts) -> None:
        self.index = facts.index
        self.catalogue = facts.catalogue
        self.roles = load_roles()
        self._ancestry: dict[str, tuple[tuple[str, ...], bool]] = {}
        # ``caught`` per question: the guard analysis asks the same few (a rescue list, the
        # classes still escaping) at every call site and entry point of its searches.
        self._caught: dict[tuple[tuple[str, ...], bool, bool, frozenset[str], str | None],
                           frozenset[str]] = {}
        self._resolved: dict[tuple[str, str | None], str] = {}
        self._caught_by_class: dict[tuple[str, frozenset[str]], frozenset[str]] = {}

    # -- what a request raises -------------------------------------------------------
    @cached_property
    def rubyllm_errors(self) -> frozenset[str]:
        """Every error class an ask/complete/embed can raise at the locked version."""
        out = set(self.roles.transport_errors)
        out.add(self.roles.error_base)
        if self.catalogue is not None:
            for name, info in self.catalogue.classes.items():
                if info.kind == "class" and name.endswith("Error") and \
                        "StandardError" in self.ancestors(name):
                    out.add(name)
        return frozenset(out)

    @cached_property
    def bypass_errors(self) -> frozenset[str]:
        """What a call through another client or raw HTTP can raise."""
        return frozenset(self.roles.transport_errors | self.roles.other_client_errors | {
            "Net::ReadTimeout", "Net::OpenTimeout", "SocketError", "Timeout::Error",
            "Errno::ECONNREFUSED", "JSON::ParserError"})

    # -- ancestry --------------------------------------------------------------------
    def ancestors(self, name: str) -> tuple[str, ...]:
        """``name`` and its superclasses, nearest first, as far as anything tells."""
        return self._chain(name)[0]

    def known(self, name: str) -> bool:
        """The whole chain up to ``Exception`` is known (catalogue, data or app classes)."""
        return self._chain(name)[1]

    def _chain(self, name: str) -> tuple[tuple[str, ...], bool]:
        name = name.removeprefix("::")
        cached = self._ancestry.get(name)
        if cached is not None:
            return cached
        chain: list[str] = []
        known = False
        current: str | None = name
        while current and current not in chain and len(chain) < 64:
            chain.append(current)
            if current == "Exception":
                known = True
                break
            current = self._parent(current)
            if current == _UNKNOWN:
                break
        result = (tuple(chain), known)
        self._ancestry[name] = result
        return result

    def _parent(self, name: str) -> str | None:
        if self.index.class_defs(name):
            parent = self.index.superclass_of(name)
            return parent.removeprefix("::") if parent else None  # a class of Object
        if self.catalogue is not None:
            info = self.catalogue.get_class(name)
            if info is not None:
                return info.superclass.removeprefix("::") if info.superclass else None
        if name in self.roles.exception_parents:
            return self.roles.exception_parents[name] or None
        if name.startswith("Errno::"):
            return "SystemCallError"
        return _UNKNOWN

    # -- what a handler catches ------------------------------------------------------
    def resolve(self, written: str, context: str | None) -> str:
        """A constant of a rescue list, resolved in the class it is written in."""
        key = (written, context)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self.index.resolve_constant(
                written.removeprefix("::"), context)
        return found

    def caught(self, exceptions: tuple[str, ...], bare: bool, dynamic: bool,
               raised: frozenset[str], context: str | None = None) -> frozenset[str]:
        """The classes of ``raised`` that ``rescue <exceptions>`` catches."""
        key = (exceptions, bare, dynamic, raised, context)
        found = self._caught.get(key)
        if found is None:
            found = self._caught[key] = self._caught_uncached(exceptions, bare, dynamic, raised,
                                                              context)
        return found

    def _caught_uncached(self, exceptions: tuple[str, ...], bare: bool, dynamic: bool,
                         raised: frozenset[str], context: str | None) -> frozenset[str]:
        if dynamic:
            return raised  # ``rescue *ERRORS``: cannot be judged, so assume it catches
        if bare or not exceptions:
            return frozenset(r for r in raised if "StandardError" in self.ancestors(r)
                             or not self.known(r))
        out: set[str] = set()
        for written in exceptions:
            out |= self._caught_by(self.resolve(written, context), raised)
        return frozenset(out)

    def _caught_by(self, cls: str, raised: frozenset[str]) -> frozenset[str]:
        """The classes of ``raised`` that ``rescue cls`` catches, once per (class, raised):
        the same class is rescued in many places (every controller's ``rescue_from``)."""
        key = (cls, raised)
        found = self._caught_by_class.get(key)
        if found is None:
            found = self._caught_by_class[key] = frozenset(
                r for r in raised if self._catches(cls, r))
        return found

    def _catches(self, cls: str, raised: str) -> bool:
        if cls in self.ancestors(raised):
            return True
        if self.known(raised) and cls not in self._constant_aliases:
            # the raised class's whole chain is known (catalogue, data): another gem's
            # ``rescue Telegram::Bot::Error`` cannot be among its ancestors
            return False
        return not self._judgeable(cls)

    @cached_property
    def _constant_aliases(self) -> frozenset[str]:
        """Constants the app assigns (``LlmError = RubyLLM::Error``): they may name any
        class, so a rescue of one is never judged by name."""
        out: set[str] = set()
        for a in self.index.assignments:
            if a.target == "constant":
                out.add(a.name)
                if a.enclosing_class:
                    out.add(f"{a.enclosing_class}::{a.name}")
        return frozenset(out)

    def _judgeable(self, cls: str) -> bool:
        """The analysis can tell what ``cls`` catches: a class of the gem (or a RubyLLM name
        the gem lacks), of the app, of Ruby or of the data; not another gem's class."""
        if cls.startswith("RubyLLM::") or cls == "RubyLLM":
            return True  # a RubyLLM name the catalogue lacks raises NameError (RG204)
        return self.known(cls) or bool(self.index.class_defs(cls))
