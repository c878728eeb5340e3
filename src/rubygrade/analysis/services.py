"""Where the conversation logic lives: the plain Ruby classes that hold the app's LLM work.

The rubric credits "service objects separate from controllers, POROs": an LLM call
inside a class that is no framework component (not a controller, model, job, mailer,
channel or tool callback), outside views and helpers, or a call on an app subclass of
the gem's agent class, which keeps the set-up (instructions, tools, model) in a class
of its own (also when the app reaches the chat through the agent, ``Agent.find(id)``).
A job or an ``acts_as_chat`` model calling the model is apart from the
controller but is not a service (the audits take a point for "job only").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rubygrade.analysis.entries import framework_role
from rubygrade.dataclass_lite import dataclass

if TYPE_CHECKING:
    from rubygrade.analysis.llm_calls import LlmCall
    from rubygrade.analysis.roles import Roles
    from rubygrade.index import Index
    from rubygrade.index.model import CallSite
    from rubygrade.project import Project

_UI_DIRS = ("app/views/", "app/helpers/", "app/controllers/")


@dataclass(frozen=True)
class ServiceHome:
    """A class that holds LLM logic as a service."""

    owner: str  # the class holding the logic (an agent subclass, or the calling class)
    call: CallSite  # an LLM call made there, or through it


def service_homes(project: Project, index: Index, llm_calls: list[LlmCall],
                  roles: Roles, agents: dict[str, str] | None = None) -> list[ServiceHome]:
    """One home per class holding LLM logic as a service, in the order of the calls.
    ``agents`` maps app classes to the gem class they inherit (``RubyLLM::Agent``): an
    agent the app's code uses (``SupportAgent.find(id)``, ``.create``) holds the set-up
    even when the call it leads to is typed as the chat record it returns."""
    homes: dict[str, ServiceHome] = {}
    used = {cls for cls, base in (agents or {}).items() if base == roles.agent}
    if llm_calls and used:
        for call in index.calls:
            const = call.receiver_constant
            if const and project.is_runtime(call.path) and \
                    index.resolve_constant(const.removeprefix("::"), call.enclosing_class) in used:
                cls = index.resolve_constant(const.removeprefix("::"), call.enclosing_class)
                homes.setdefault(cls, ServiceHome(cls, call))
    for item in llm_calls:
        call = item.call
        if not project.is_app_code(call.path):
            continue
        recv = item.receiver_type
        if recv is not None and recv.kind == "subclass" and recv.owner == roles.agent \
                and recv.app_class:
            homes.setdefault(recv.app_class, ServiceHome(recv.app_class, call))
        elif _plain_class(project, index, call):
            owner = call.enclosing_class or ""
            homes.setdefault(owner, ServiceHome(owner, call))
    return list(homes.values())


def _plain_class(project: Project, index: Index, call: CallSite) -> bool:
    rel = project.app_relative(call.path) or ""
    cls = call.enclosing_class
    return bool(cls) and not rel.startswith(_UI_DIRS) and framework_role(index, cls) is None
