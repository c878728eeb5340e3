"""Small helpers shared by the dimension 4/5/7/8 rules: which files are app code, entry points."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rubygrade.index.model import MethodDef

if TYPE_CHECKING:
    from rubygrade.checks.base import Context

_TEST_DIRS = ("test/", "spec/", "features/")
#: Folders whose Ruby code runs in the app process (not tests, not db/ seeds, not scripts).
RUNTIME_DIRS = ("app/", "lib/", "config/")


def app_rel(ctx: Context, path: str) -> str | None:
    return ctx.project.app_relative(path)


def is_test(ctx: Context, path: str) -> bool:
    rel = app_rel(ctx, path)
    return rel is None or rel.startswith(_TEST_DIRS)


def is_runtime(ctx: Context, path: str) -> bool:
    """True for app code that runs while serving requests or jobs."""
    rel = app_rel(ctx, path)
    return rel is not None and rel.startswith(RUNTIME_DIRS)


def is_controller(ctx: Context, method: MethodDef) -> bool:
    rel = app_rel(ctx, method.path) or ""
    return rel.startswith("app/controllers/") and method.owner.endswith("Controller")


def entry_kind(ctx: Context, method: MethodDef) -> str | None:
    """'action', 'job', 'channel', 'mailbox' when Rails calls this method from outside."""
    if method.singleton or method.kind not in ("def", "attr"):
        return None
    rel = app_rel(ctx, method.path) or ""
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
