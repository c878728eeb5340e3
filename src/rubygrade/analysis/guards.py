"""Is each LLM call guarded before its exception becomes a 500? Shared by RG401/RG403 and evidence.

A call is guarded by the first handler on its way out that catches an LLM
error and does not re-raise: a lexically enclosing ``rescue`` (``begin``,
method-level, block, modifier), ``rescue_from``/``discard_on``/``retry_on`` in
the controller or job class chain, or a guard at the call site in *every*
caller on the way from an entry point (controller action, job ``perform``,
channel, mailbox). Unknown exception classes (app-defined wrappers) count as
catching, so a rescue the analysis cannot judge never yields a false report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.entries import entry_kind
from rubygrade.analysis.llm_calls import LlmCall
from rubygrade.analysis.rescues import RescueModel, is_typed_llm
from rubygrade.index.model import CallSite, RescueClause

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.project import Project

_HANDLER_MACROS = ("rescue_from", "discard_on", "retry_on")
_DEGRADED = ("render", "flash", "turbo_stream", "broadcast", "redirect_to", "alert", "notice",
             "error", "Sorry", "sorry", "unavailable", "try again", "went wrong")


def rescue_body(clause: RescueClause) -> Node | None:
    if clause.scope == "modifier":
        return clause.node.child_by_field_name("handler")
    return clause.node.child_by_field_name("body")


def reraises(body: Node | None) -> bool:
    """True when the handler ends in ``raise``/``fail`` (the error still escapes)."""
    if body is None:
        return False
    for node in treeutil.walk(body):
        parent = treeutil.parent_of(node)
        if node.type == "identifier" and treeutil.text(node) in ("raise", "fail") and \
                parent is not None and parent.type in ("then", "body_statement", "if", "unless",
                                                       "else"):
            return True
        if node.type == "call" and node.child_by_field_name("receiver") is None and \
                treeutil.text(node.child_by_field_name("method")) in ("raise", "fail"):
            return True
    return False


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

    @property
    def typed(self) -> bool:
        return not self.blanket and any(is_typed_llm(e) for e in self.exceptions)

    @property
    def catches_exception(self) -> bool:
        return any(e.removeprefix("::") == "Exception" for e in self.exceptions)


@dataclass(frozen=True)
class Guarding:
    llm: LlmCall
    handlers: tuple[Handler, ...]  # what guards it (empty: unguarded)
    route: tuple[str, ...]  # entry -> ... -> method, when unguarded and a route is known
    reachable: bool  # an entry point reaches the call at all (ignoring guards)

    @property
    def guarded(self) -> bool:
        return bool(self.handlers)


class GuardAnalysis:
    def __init__(self, facts: Facts, llm_calls: list[LlmCall], rescues: RescueModel) -> None:
        self.project = facts.project
        self.index = facts.index
        self.graph = facts.index.call_graph
        self.rescues = rescues
        self._llm_calls = llm_calls
        self._class_handlers: dict[str, tuple[Handler, ...]] = {}
        self.results = self._analyse()

    # -- handlers ---------------------------------------------------------------------
    def site_handler(self, call: CallSite) -> Handler | None:
        """The innermost lexical rescue that catches an LLM error without re-raising."""
        for clause in call.rescues:
            if not self.rescues.catches_llm(clause.exceptions, clause.blanket, clause.dynamic):
                continue
            body = rescue_body(clause)
            if reraises(body):
                continue
            return Handler(clause.path, clause.line, clause.exceptions, clause.blanket,
                           "rescue", degraded_ui(body))
        return None

    def class_handlers(self, cls: str | None) -> tuple[Handler, ...]:
        """``rescue_from``/``discard_on``/``retry_on`` in ``cls``, its ancestors and concerns."""
        if not cls:
            return ()
        if cls not in self._class_handlers:
            owners: list[str] = []
            for anc in self.index.ancestors(cls):
                owners.append(anc)
                owners += [self.index.resolve_constant(i, anc) for i in self.index.includes_of(anc)]
            found: list[Handler] = []
            for call in self.index.calls_named(*_HANDLER_MACROS):
                if call.enclosing_method is not None and call.enclosing_method.kind == "def":
                    continue
                if call.enclosing_class not in owners:
                    continue
                names = tuple(c for a in call.positional
                              if (c := treeutil.constant_name(a.value)) is not None)
                if not names:
                    continue
                blanket = any(n.removeprefix("::") in ("StandardError", "Exception")
                              for n in names)
                if self.rescues.catches_llm(names, blanket, False):
                    found.append(Handler(call.path, call.line, names, blanket, call.method,
                                         self._macro_degraded(call)))
            self._class_handlers[cls] = tuple(found)
        return self._class_handlers[cls]

    def _macro_degraded(self, call: CallSite) -> bool:
        if call.block is not None:
            return degraded_ui(call.block)
        with_arg = call.keyword("with")
        name = treeutil.string_value(with_arg.value) if with_arg is not None else None
        for method in self.index.methods_named(name) if name else []:
            if method.owner == call.enclosing_class:
                return degraded_ui(method.body)
        return call.method != "rescue_from"

    def guard_of(self, call: CallSite) -> Handler | None:
        found = self.site_handler(call)
        if found is None and _dispatched_by_rails(self.project, call):
            handlers = self.class_handlers(call.enclosing_class)
            found = handlers[0] if handlers else None
        return found

    # -- per LLM call -----------------------------------------------------------------
    def _is_entry(self, key: str) -> bool:
        method = self.graph.methods.get(key)
        return method is not None and entry_kind(self.project, method) is not None

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
        at that call."""
        if not call.enclosing_class:
            return False
        return any(a.endswith("Tool") and a.startswith(("RubyLLM::", "::RubyLLM::"))
                   for a in self.index.ancestors(call.enclosing_class)[1:])

    def _one(self, item: LlmCall) -> Guarding:
        call = item.call
        own = self.guard_of(call)
        if own is not None:
            return Guarding(item, (own,), (), True)
        method = call.enclosing_method
        if method is None:
            return Guarding(item, (), (), False)
        key = method.key

        def unguarded_edge(sites: list[CallSite]) -> bool:
            return any(not not self.project.is_runtime(s.path) and self.guard_of(s) is None for s in sites)

        route = self.graph.path_from_entry(key, self._is_entry, unguarded_edge)
        if route is not None:
            return Guarding(item, (), tuple(route), True)
        any_route = self.graph.path_from_entry(key, self._is_entry,
                                               lambda s: any(not not self.project.is_runtime(x.path)
                                                             for x in s))
        if any_route is not None:
            return Guarding(item, self._caller_handlers(key), (), True)
        # No entry point reaches the method in the call graph: guarded only if some app
        # caller up the chain guards its call.
        handlers = self._caller_handlers(key)
        return Guarding(item, handlers, (), False)

    def _caller_handlers(self, key: str) -> tuple[Handler, ...]:
        found: list[Handler] = []
        if key not in self.graph.graph:
            return ()
        for caller in sorted(self.graph.ancestors(key) | {key}):
            for callee in self.graph.callees(caller):
                for site in self.graph.graph.edges[caller, callee]["sites"]:
                    if not self.project.is_runtime(site.path):
                        continue
                    handler = self.guard_of(site)
                    if handler is not None and handler not in found:
                        found.append(handler)
        return tuple(found)


def _dispatched_by_rails(project: Project, call: CallSite) -> bool:
    """Code of a controller, job or channel class: ``rescue_from``-style macros apply to it."""
    rel = project.app_relative(call.path) or ""
    return bool(call.enclosing_class) and rel.startswith(
        ("app/controllers/", "app/jobs/", "app/channels/", "app/workers/", "app/sidekiq/"))

