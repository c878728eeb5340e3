"""Entry points: the methods Rails calls from outside (actions, jobs, channels, mailboxes, tasks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rubygrade.index.model import MethodDef

if TYPE_CHECKING:
    from rubygrade.callgraph import CallGraph
    from rubygrade.index import Index
    from rubygrade.project import Project

EntryKind = Literal["action", "job", "channel", "mailbox"]


def is_controller(project: Project, method: MethodDef) -> bool:
    rel = project.app_relative(method.path) or ""
    return rel.startswith("app/controllers/") and method.owner.endswith("Controller")


def entry_kind(project: Project, method: MethodDef) -> EntryKind | None:
    """'action', 'job', 'channel', 'mailbox' when Rails calls this method from outside."""
    if method.singleton or method.kind not in ("def", "attr"):
        return None
    rel = project.app_relative(method.path) or ""
    if rel.startswith("app/controllers/") and method.visibility == "public" and \
            method.owner.endswith("Controller") and not method.name.startswith("_"):
        return "action"
    if method.name == "perform" and (rel.startswith(("app/jobs/", "app/workers/", "app/sidekiq/"))
                                     or method.owner.endswith(("Job", "Worker"))):
        return "job"
    if rel.startswith("app/channels/") and method.visibility == "public":
        return "channel"
    if rel.startswith("app/mailboxes/") and method.name == "process":
        return "mailbox"
    return None


def request_reachable(project: Project, index: Index, graph: CallGraph) -> set[str]:
    """Method keys a controller action, job, channel or mailbox reaches in the call graph."""
    entries = sorted(m.key for m in index.methods if entry_kind(project, m) is not None)
    return graph.reachable_from(entries)
