"""Is each LLM call guarded before its exception reaches the user? Shared by RG401/RG403, evidence.

Follow the exception out, the way Ruby does (see :mod:`rubygrade.analysis.rescues`
for what a rescue catches):

1. the ``rescue`` clauses around the call, innermost first (``begin``, method-level,
   block, modifier). A clause that catches some of what the call raises and does not
   re-raise guards it; one that re-raises lets the same exception (``raise``, ``raise
   e``) or another (``raise AppError``) continue;
2. out of the method, into every caller the call graph knows, through the rescues
   around that call site; and so on up;
3. at an entry point (controller action, job, channel, mailbox, view, rake task,
   model callback), the class-level handlers of a Rails-dispatched class:
   ``rescue_from``/``retry_on``/``discard_on`` in the class, its ancestors and
   concerns, searched as ActiveSupport does (the last declared handler that matches
   wins; one that re-raises does not guard).

A call is unguarded when some path from an entry point lets an LLM error out. A call
no entry point reaches is "unreached": its failure is not a 500 page, and RG401 says
so at info level.
"""

from __future__ import annotations

from collections import deque
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.entries import framework_role
from rubygrade.analysis.llm_calls import LlmCall
from rubygrade.analysis.rescues import Reraise, RescueModel, is_typed_llm, reraise_of
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite, MethodDef, RescueClause

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.analysis.entries import EntryPoints
    from rubygrade.callgraph import CallGraph
    from rubygrade.project import Project

_HANDLER_MACROS = ("rescue_from", "discard_on", "retry_on")
_DEGRADED = ("render", "flash", "turbo_stream", "broadcast", "redirect_to", "alert", "notice",
             "error", "Sorry", "sorry", "unavailable", "try again", "went wrong")
_DISPATCHED = ("app/controllers/", "app/jobs/", "app/channels/", "app/workers/", "app/sidekiq/",
               "app/mailboxes/")
#: Calls that record a failure for the user to see: a record's status, a broadcast.
_RECORDING = {"update", "update!", "update_column", "update_columns", "save", "save!",
              "create", "create!", "broadcast_replace_to", "broadcast_update_to",
              "broadcast_append_to", "broadcast_prepend_to", "broadcast_replace",
              "broadcast_update", "broadcast_append", "broadcast_prepend", "broadcast"}
#: States (method, escaping classes) one backward search may visit before it gives up.
MAX_STATES = 20_000


def rescue_body(clause: RescueClause) -> Node | None:
    if clause.scope == "modifier":
        return clause.node.child_by_field_name("handler")
    return clause.node.child_by_field_name("body")


def degraded_ui(body: Node | None) -> bool:
    return body is not None and any(word in treeutil.text(body) for word in _DEGRADED)


@dataclass(frozen=True)
class Handler:
    """A handler that guards an LLM call: a rescue clause or a class-level macro call."""

    path: str
    line: int
    exceptions: tuple[str, ...]
    blanket: bool
    kind: str  # "rescue", "rescue_from", "discard_on", "retry_on"
    degraded: bool
    #: records the failure, then re-raises it for the job queue (swallows nothing)
    reraises: bool = False

    @property
    def typed(self) -> bool:
        return not self.blanket and any(is_typed_llm(e) for e in self.exceptions)

    @property
    def catches_exception(self) -> bool:
        return any(e.removeprefix("::") == "Exception" for e in self.exceptions)


@dataclass(frozen=True)
class Guarding:
    """What guards one LLM call against the errors it raises, or the route that leaves it
    unguarded."""

    llm: LlmCall
    handlers: tuple[Handler, ...]  # what guards it (empty: unguarded)
    route: tuple[str, ...]  # entry -> ... -> method, when unguarded and a route is known
    reachable: bool  # an entry point reaches the call at all (ignoring guards)
    #: handlers on the way that do not guard, in words ("rescue ArgumentError at x:3
    #: catches nothing the call raises")
    misses: tuple[str, ...] = ()
    #: what kind of entry point the route starts at ("action", "job", "rake", ...)
    entry_kind: str | None = None

    @property
    def guarded(self) -> bool:
        return bool(self.handlers) and not self.route


@dataclass(frozen=True)
class _Decl:
    """One class-level handler declaration."""

    call: CallSite
    names: tuple[str, ...]
    owner: str


@dataclass
class _Search:
    """What the search for an unguarded route has found so far."""

    route: tuple[str, ...] | None = None
    entry_kind: str | None = None
    handlers: list[Handler] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


class GuardAnalysis:
    def __init__(self, facts: Facts, llm_calls: list[LlmCall], rescues: RescueModel,
                 graph: CallGraph, entries: EntryPoints) -> None:
        self.facts = facts
        self.project = facts.project
        self.index = facts.index
        self.graph = graph
        self.rescues = rescues
        self.entries = entries
        self._llm_calls = llm_calls
        self._reachable = entries.reachable()
        self._decls: dict[str, list[_Decl]] = {}
        self._by_owner: dict[str, list[_Decl]] | None = None
        self._searches: dict[tuple[str, frozenset[str]], _Search] = {}
        self._roles: dict[str | None, str | None] = {}  # class -> framework_role, once each
        self._class_level: dict[tuple[str, frozenset[str]],
                                tuple[tuple[frozenset[str], Handler | None], tuple[str, ...]]] = {}
        self.results = self._analyse()

    # -- handlers at a call site ----------------------------------------------------------
    def _site(self, call: CallSite, raised: frozenset[str],
              misses: list[str]) -> tuple[frozenset[str], Handler | None]:
        """What escapes the rescues around ``call``, or the handler that guards it."""
        for clause in call.rescues:
            caught = self.rescues.caught(clause.exceptions, clause.bare, clause.dynamic, raised,
                                         call.enclosing_class)
            where = f"{clause.path}:{clause.line}"
            if not caught:
                if clause.exceptions:
                    misses.append(f"rescue {', '.join(clause.exceptions)} at {where} catches "
                                  "nothing the call raises")
                continue
            body = rescue_body(clause)
            outcome = reraise_of(body)
            if outcome.guards or self._recorded_then_reraised(call, body):
                return frozenset(), Handler(clause.path, clause.line, clause.exceptions,
                                            clause.blanket, "rescue", degraded_ui(body) or
                                            not outcome.guards, not outcome.guards)
            misses.append(f"the rescue at {where} re-raises")
            raised = self._after(raised, caught, self._resolved(outcome, call.enclosing_class))
        return raised, None

    def _recorded_then_reraised(self, call: CallSite, body: Node | None) -> bool:
        """A job's handler that records the failure where the user sees it (the record's
        status, a broadcast) and re-raises for the queue to retry or report: handled.
        (A controller's re-raise is still a 500 page, whatever it saved first.)"""
        if body is None or self._framework_role(call.enclosing_class) != "job":
            return False
        return any(node.type == "call" and
                   treeutil.text(node.child_by_field_name("method")) in _RECORDING
                   for node in treeutil.walk(body))

    def _resolved(self, outcome: Reraise, context: str | None) -> Reraise:
        """``raise Failed`` inside ``ReportWriter`` raises ``ReportWriter::Failed``."""
        if not outcome.classes:
            return outcome
        return Reraise(frozenset(self.rescues.resolve(c, context) for c in outcome.classes),
                       outcome.same)

    @staticmethod
    def _after(raised: frozenset[str], caught: frozenset[str], outcome: Reraise) -> frozenset[str]:
        escaping = raised - caught
        if outcome.same:
            escaping |= caught
        return escaping | outcome.classes

    def site_handler(self, call: CallSite) -> Handler | None:
        """The lexical rescue that guards ``call`` against an LLM error, if any."""
        return self._site(call, self.rescues.rubyllm_errors, [])[1]

    # -- class-level handlers -------------------------------------------------------------
    def declarations(self, cls: str) -> list[_Decl]:
        """``rescue_from``/``retry_on``/``discard_on`` that apply to ``cls``, in the order
        ActiveSupport records them: ancestors' first, a concern's where it is included."""
        if cls in self._decls:
            return self._decls[cls]
        self._decls[cls] = []  # guards inheritance cycles
        by_owner = self._declared_in()
        ordered: list[_Decl] = []
        for owner in reversed(self.index.ancestors(cls)):
            for included in self.index.includes_of(owner):
                ordered += by_owner.get(self.index.resolve_constant(included, owner), [])
            ordered += by_owner.get(owner, [])
        self._decls[cls] = ordered
        return ordered

    def _declared_in(self) -> dict[str, list[_Decl]]:
        """Each class body's own ``rescue_from``/``retry_on``/``discard_on`` declarations, in
        index order (the same for every class asked about: built once)."""
        if self._by_owner is None:
            by_owner: dict[str, list[_Decl]] = {}
            for call in self.index.calls_named(*_HANDLER_MACROS):
                if call.enclosing_method is not None and call.enclosing_method.kind == "def":
                    continue
                names = tuple(c for a in call.positional
                              if (c := treeutil.constant_name(a.value)) is not None)
                if names and call.enclosing_class:
                    by_owner.setdefault(call.enclosing_class, []).append(
                        _Decl(call, names, call.enclosing_class))
            self._by_owner = by_owner
        return self._by_owner

    def _at_entry(self, method: MethodDef, raised: frozenset[str],
                  misses: list[str]) -> tuple[frozenset[str], Handler | None]:
        """What escapes the class-level handlers of an entry point's class."""
        rel = self.project.app_relative(method.path) or ""
        owner = method.owner or ("ApplicationController" if method.kind == "template" else "")
        if not owner or not (rel.startswith(_DISPATCHED) or method.kind == "template"):
            return raised, None
        decls = self.declarations(owner)
        if not decls:
            return raised, None
        # The answer depends on the class and what escapes only: every entry point of a
        # controller, and every search reaching one, asks the same (misses replayed).
        key = (owner, raised)
        found = self._class_level.get(key)
        if found is None:
            added: list[str] = []
            found = self._class_level[key] = (self._class_handlers(decls, raised, added),
                                               tuple(added))
        misses.extend(found[1])
        return found[0]

    def _class_handlers(self, decls: list[_Decl], raised: frozenset[str],
                        misses: list[str]) -> tuple[frozenset[str], Handler | None]:
        escaping: set[str] = set()
        # What each declaration catches of ``raised``: a rescue catches class by class, so
        # ``error`` is in it exactly when the declaration catches ``{error}``.
        catching = [(d, self.rescues.caught(d.names, False, False, raised, d.owner))
                    for d in reversed(decls)]
        for error in sorted(raised):
            winner = next((d for d, caught in catching if error in caught), None)
            if winner is None:
                escaping.add(error)
                continue
            outcome = self._macro_outcome(winner.call)
            if outcome.guards:
                return frozenset(), Handler(
                    winner.call.path, winner.call.line, winner.names,
                    any(n.removeprefix("::") in ("StandardError", "Exception")
                        for n in winner.names),
                    winner.call.method, self._macro_degraded(winner.call))
            misses.append(f"{winner.call.method} at {winner.call.path}:{winner.call.line} "
                          "re-raises")
            escaping |= self._after(frozenset({error}), frozenset({error}),
                                    self._resolved(outcome, winner.owner))
        return frozenset(escaping), None

    def _macro_body(self, call: CallSite) -> Node | None:
        if call.block is not None:
            return call.block.child_by_field_name("body") or call.block
        with_arg = call.keyword("with")
        if with_arg is None:
            return None
        if with_arg.value.type == "lambda":
            body = with_arg.value.child_by_field_name("body")
            return body.child_by_field_name("body") if body is not None else None
        name = treeutil.string_value(with_arg.value)
        for method in self.index.methods_named(name) if name else []:
            if method.owner == call.enclosing_class:
                return method.body
        return None

    def _macro_outcome(self, call: CallSite) -> Reraise:
        if call.method in ("retry_on", "discard_on"):
            return Reraise()  # retried (then reported) or dropped: handled, not a crash
        body = self._macro_body(call)
        if body is not None and body.type in ("block_body", "body_statement"):
            return reraise_of(body)
        return Reraise()

    def _macro_degraded(self, call: CallSite) -> bool:
        body = self._macro_body(call)
        if body is not None:
            return degraded_ui(body)
        return call.method != "rescue_from"

    # -- per LLM call -----------------------------------------------------------------
    def _analyse(self) -> list[Guarding]:
        out: list[Guarding] = []
        for item in self._llm_calls:
            call = item.call
            if not self.project.is_runtime(call.path) or self._in_tool(call):
                continue
            out.append(self._one(item))
        return out

    def _in_tool(self, call: CallSite) -> bool:
        """A RubyLLM tool runs inside the chat's ``ask``: its errors surface (and are judged)
        at that call. So does a call only a tool's methods reach (a service the tool uses)."""
        if self._framework_role(call.enclosing_class) == "tool":
            return True
        owner = self.graph.owner_of(call)
        return owner is not None and owner.key not in self._reachable and \
            owner.key in self._tool_reachable

    @cached_property
    def _tool_reachable(self) -> set[str]:
        tools = sorted(key for key, m in self.graph.methods.items()
                       if self._framework_role(m.owner) == "tool")
        return self.graph.reachable_from(tools)

    def _framework_role(self, cls: str | None) -> str | None:
        """``framework_role`` of ``cls``, once per class (asked per method of the app)."""
        if cls not in self._roles:
            self._roles[cls] = framework_role(self.index, cls)
        return self._roles[cls]

    def _one(self, item: LlmCall) -> Guarding:
        call = item.call
        raised = self.rescues.rubyllm_errors if item.kind == "rubyllm" else \
            self.rescues.bypass_errors
        misses: list[str] = []
        escaping, handler = self._site(call, raised, misses)
        owner = self.graph.owner_of(call)
        reachable = owner is not None and owner.key in self._reachable
        if handler is not None:
            return Guarding(item, (handler,), (), reachable, tuple(misses))
        if owner is None:
            return Guarding(item, (), (), False, tuple(misses))
        search = self._search(owner.key, escaping)
        return Guarding(item, tuple(search.handlers), search.route or (), reachable,
                        tuple(dict.fromkeys(misses + search.misses)), search.entry_kind)

    def _search(self, start: str, escaping: frozenset[str]) -> _Search:
        """Backwards from ``start`` with ``escaping`` uncaught: the shortest route from an
        entry point on which an LLM error gets out, and the handlers met on other routes."""
        key = (start, escaping)
        if key in self._searches:
            return self._searches[key]
        result = _Search()
        fallback: tuple[tuple[str, ...], str | None] | None = None
        previous: dict[tuple[str, frozenset[str]], tuple[str, frozenset[str]] | None] = {
            key: None}
        queue = deque([key])
        while queue:
            if len(previous) > MAX_STATES:
                self.facts.diagnose("limit", f"guard search from {start} stopped after "
                                    f"{MAX_STATES} states; the call is judged on what was seen")
                break
            state = queue.popleft()
            node, esc = state
            method = self.graph.methods.get(node)
            if method is not None and self.entries.kind(method) is not None:
                left, handler = self._at_entry(method, esc, result.misses)
                if handler is not None:
                    if handler not in result.handlers:
                        result.handlers.append(handler)
                elif left:
                    route: list[str] = []
                    walk: tuple[str, frozenset[str]] | None = state
                    while walk is not None:
                        route.append(walk[0])
                        walk = previous[walk]
                    found = (tuple(route), self.entries.kind(method))
                    # A public controller method other code calls is, in practice, a helper
                    # left public: a route from a method nothing calls reads truer.
                    if not any(True for _ in self.graph.graph.predecessors(node)):
                        fallback = found
                        break
                    fallback = fallback or found
            for caller in sorted(self.graph.graph.predecessors(node)):
                for site in self.graph.graph.edges[caller, node]["sites"]:
                    if not self.project.is_runtime(site.path):
                        continue
                    left, handler = self._site(site, esc, result.misses)
                    if handler is not None:
                        if handler not in result.handlers:
                            result.handlers.append(handler)
                        continue
                    nxt = (caller, left)
                    if left and nxt not in previous:
                        previous[nxt] = state
                        queue.append(nxt)
        if fallback is not None:
            result.route, result.entry_kind = fallback
        self._searches[key] = result
        return result


def dispatched_by_rails(project: Project, call: CallSite) -> bool:
    """Code of a controller, job, channel or mailbox class: ``rescue_from`` applies to it."""
    rel = project.app_relative(call.path) or ""
    return bool(call.enclosing_class) and rel.startswith(_DISPATCHED)
