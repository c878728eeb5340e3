"""Entry points: the code Rails (or rake) runs from outside, where an exception escapes to the user.

- controller actions (public methods of a controller), and the methods its
  ``before_action``/``after_action``/``around_action`` callbacks and ``helper_method``
  name, which run inside the request;
- jobs (``perform``), Action Cable channels (public methods), Action Mailbox
  ``process``;
- templates (the Ruby of a view runs while the action renders);
- rake tasks (the top-level code of a ``.rake`` file);
- model callbacks: methods named by ``after_create_commit :x`` and the like, and the
  blocks passed to them (they run when a request saves the record).

A method no entry point reaches in the call graph is not on a request path: an
exception there is not "a 500 page" (see the guard analysis).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from rubygrade import treeutil
from rubygrade.analysis.roles import load_roles
from rubygrade.index.model import MethodDef
from rubygrade.index.ruby import CONSTANT_IDS

if TYPE_CHECKING:
    from rubygrade.callgraph import CallGraph
    from rubygrade.index import Index
    from rubygrade.project import Project

EntryKind = Literal["action", "job", "channel", "mailbox", "view", "task", "callback"]
_CLASS_NAME = re.compile(r"\b[A-Z]\w*(?:::[A-Z]\w*)*(?:Job|Worker)\b")


def routed(project: Project, controller: str) -> bool:
    """Some route names the controller (``resources :prompts``, ``"prompts#show"``,
    ``controller: "prompts"``), or the app's routes cannot be read that closely (no routes
    file, a catch-all route, a base class other controllers inherit actions from)."""
    words = project.route_words
    base = controller.rsplit("::", 1)[-1].removesuffix("Controller")
    if words is None or not base or base.endswith(("Application", "Base")):
        return True
    snake = treeutil.underscore(base)
    return bool({snake, re.sub(r"ies$", "y", snake), re.sub(r"s$", "", snake)} & words)


def is_controller(project: Project, method: MethodDef) -> bool:
    rel = project.app_relative(method.path) or ""
    return rel.startswith("app/controllers/") and method.owner.endswith("Controller")


def entry_kind(project: Project, method: MethodDef,
               routed_memo: dict[str, bool] | None = None) -> EntryKind | None:
    """'action', 'job', 'channel', 'mailbox' when Rails calls this method from outside;
    'view', 'task', 'callback' for the call graph's pseudo-methods of top-level code.

    ``routed_memo`` keeps :func:`routed` per controller across calls (every action of a
    controller asks the same question)."""
    if method.kind == "template":
        return "view"
    if method.kind == "task":
        return "task"
    if method.kind == "callbacks":
        return "callback"
    if method.singleton or method.kind not in ("def", "attr"):
        return None
    rel = project.app_relative(method.path) or ""
    if rel.startswith("app/controllers/") and method.visibility == "public" and \
            method.owner.endswith("Controller") and not method.name.startswith("_"):
        if routed_memo is None:
            return "action" if routed(project, method.owner) else None
        if method.owner not in routed_memo:
            routed_memo[method.owner] = routed(project, method.owner)
        return "action" if routed_memo[method.owner] else None
    if method.name == "perform" and (rel.startswith(("app/jobs/", "app/workers/", "app/sidekiq/"))
                                     or method.owner.endswith(("Job", "Worker"))):
        return "job"
    if rel.startswith("app/channels/") and method.visibility == "public":
        return "channel"
    if rel.startswith("app/mailboxes/") and method.name == "process":
        return "mailbox"
    return None


class EntryPoints:
    """Every entry point of the app, and what they reach."""

    def __init__(self, project: Project, index: Index, graph: CallGraph) -> None:
        self.project = project
        self.index = index
        self.graph = graph
        self._named = self._named_by_macros()
        self._enqueued_jobs: set[str] | None = None
        # Each method's kind, asked once per method by ``reachable`` and again per state of
        # the guard analysis's backward searches; keyed by the method itself (identity).
        self._kinds: dict[MethodDef, EntryKind | None] = {}
        self._routed: dict[str, bool] = {}  # controller -> ``routed``
        self._reachable: set[str] | None = None

    def _named_by_macros(self) -> dict[str, EntryKind]:
        """Method keys named by callback macros (``before_action :set_chat``,
        ``after_create_commit :reply``) and ``helper_method``: Rails calls them."""
        out: dict[str, EntryKind] = {}
        for call in self.index.macros:  # the class bodies' macro calls, in index order
            if not call.enclosing_class:
                continue
            controller = call.enclosing_class.endswith("Controller")
            for arg in call.positional:
                name = treeutil.string_value(arg.node) if arg.node.type in (
                    "simple_symbol", "string") else None
                if not name:
                    continue
                for key in self.graph.structural_keys(call.enclosing_class, name):
                    out.setdefault(key, "action" if controller else "callback")
        return out

    def kind(self, method: MethodDef) -> EntryKind | None:
        if method in self._kinds:
            return self._kinds[method]
        found = self._kinds[method] = self._kind_uncached(method)
        return found

    def _kind_uncached(self, method: MethodDef) -> EntryKind | None:
        found = entry_kind(self.project, method, self._routed)
        if found == "job" and not self._enqueued(method.owner):
            return None  # a job nothing enqueues never runs
        if found is not None:
            return found
        return self._named.get(method.key)

    def _enqueued(self, job: str) -> bool:
        """Some code names the job class (``perform_later``, ``set``, ``perform_now``), or a
        schedule file (recurring.yml, sidekiq.yml, schedule.rb) names it."""
        if self._enqueued_jobs is None:
            found = self._called_constants()
            for source in self.project.app_files(None, "config/"):
                if source.path.endswith((".yml", ".yaml", "schedule.rb")):
                    found |= set(_CLASS_NAME.findall(source.text))
            self._enqueued_jobs = found
        short = job.rsplit("::", 1)[-1]
        return job in self._enqueued_jobs or short in self._enqueued_jobs

    def _called_constants(self) -> set[str]:
        """Every class that may be a job some call names as its receiver
        (``ReplyJob.perform_later``), outside that class, resolved where it is written.

        Only jobs are asked about (``_enqueued``), and a written constant resolves to a job
        (or its short name) only when its last part is the job's short name: so only the
        receivers ending in the short name of a class with a ``perform`` method are
        resolved, and the index's other calls on a constant cost a look at the receiver's
        last name (calls on anything else are not looked at: ``Index.calls_on_constants``).
        Each (constant, class) is resolved once."""
        jobs = {m.owner.rsplit("::", 1)[-1].encode() for m in self.index.methods_named("perform")}
        found: set[str] = set()
        resolved: dict[tuple[str, str | None], str] = {}
        for call in self.index.calls_on_constants:
            receiver = call.receiver
            assert receiver is not None
            kind = receiver.kind_id
            last = receiver if kind in CONSTANT_IDS else receiver.child_by_field_name("name")
            if last is None or last.text not in jobs:
                continue
            const = treeutil.text(receiver) if kind in CONSTANT_IDS else \
                treeutil.constant_name(receiver)
            if const is None:
                continue
            context = call.enclosing_class
            if context == const:
                continue
            key = (const, context)
            if key not in resolved:
                resolved[key] = self.index.resolve_constant(const.removeprefix("::"), context)
            found.add(resolved[key])
        return found

    def is_entry(self, key: str) -> bool:
        method = self.graph.methods.get(key)
        return method is not None and self.kind(method) is not None

    def reachable(self) -> set[str]:
        """Method keys an entry point reaches in the call graph (entries included).

        Computed once (the shared analysis and the guard analysis both ask); each caller
        gets its own copy, as before."""
        if self._reachable is None:
            entries = sorted(k for k, m in self.graph.methods.items()
                             if self.kind(m) is not None)
            self._reachable = self.graph.reachable_from(entries)
        return set(self._reachable)


#: Framework base classes: a class inheriting one is not a plain service object.
_FRAMEWORK_BASES = {
    "ApplicationRecord": "model", "ActiveRecord::Base": "model",
    "ApplicationJob": "job", "ActiveJob::Base": "job",
    "ApplicationController": "controller", "ActionController::Base": "controller",
    "ActionController::API": "controller", "ApplicationMailer": "mailer",
    "ActionMailer::Base": "mailer", "ApplicationCable::Channel": "channel",
    "ActionCable::Channel::Base": "channel", "ApplicationMailbox": "mailbox",
    "ActionMailbox::Base": "mailbox",
}


def framework_role(index: Index, cls: str | None) -> str | None:
    """'model', 'job', 'controller', 'mailer', 'channel', 'mailbox' or 'tool' when ``cls``
    inherits a framework base; None for a plain Ruby object (a PORO, or a gem subclass such
    as a RubyLLM::Agent, which holds the conversation like a service)."""
    if not cls:
        return None
    bases = {**_FRAMEWORK_BASES, load_roles().tool: "tool"}
    for ancestor in index.ancestors(cls)[1:]:
        role = bases.get(ancestor.removeprefix("::"))
        if role is not None:
            return role
    return None
