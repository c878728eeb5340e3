"""RubyLLM knowledge as data: ``api_signatures/ruby_llm/roles.toml``, loaded once.

Which calls send a request, which read the reply, the Rails integration modules,
the errors a request raises, the shapes other libraries taught models to invent:
the analyses ask this object instead of spelling gem names in code, and a meta-test
checks the file against every catalogue.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from rubygrade.dataclass_lite import dataclass
from rubygrade.paths import catalogue_dir

ROLES_FILE = "roles.toml"


@dataclass(frozen=True)
class ActsAs:
    """An ``acts_as_*`` macro of the gem and the catalogue module holding the methods it
    gives a record, in the gem's current API (``new``) and its legacy one."""

    macro: str
    new: str
    legacy: str


@dataclass(frozen=True)
class Roles:
    """The gem's API by role, as ``roles.toml`` names it."""

    chat_sends: frozenset[str]
    module_sends: frozenset[str]
    transcription: str
    ask_sends: frozenset[str]
    entry_module_methods: frozenset[str]
    entry_constructors: frozenset[str]
    other_entry_points: frozenset[str]
    reply_reads: frozenset[str]
    reply_classes: frozenset[str]
    instruction_methods: frozenset[str]
    agent_instructions_macro: str
    replay_methods: frozenset[str]
    replay_content: str
    messages_methods: frozenset[str]
    #: calls whose result is a connection or a server process (a per-process resource)
    process_resources: tuple[str, ...]
    chat_classes: frozenset[str]
    agent: str
    configuration: str
    chunk: str
    message: str
    tool: str
    streaming_methods: frozenset[str]
    message_callbacks: frozenset[str]
    acts_as: tuple[ActsAs, ...]
    error_base: str
    #: exception class -> superclass, for classes outside the catalogue (Ruby, Faraday, ...)
    exception_parents: dict[str, str]
    transport_errors: frozenset[str]
    other_client_errors: frozenset[str]
    #: ``"Class#method"`` / ``"Module.method"`` -> rubric shape key
    invented: dict[str, str]
    #: ``"Module.method:keyword"`` -> rubric shape key
    invented_keywords: dict[str, str]
    #: client class -> its gem
    external_clients: dict[str, str]
    #: methods of those clients that send a request
    external_client_sends: frozenset[str]

    @property
    def all_sends(self) -> frozenset[str]:
        return self.chat_sends | self.module_sends

    def acts_as_macro(self, macro: str) -> ActsAs | None:
        return next((a for a in self.acts_as if a.macro == macro), None)

    def shape_of(self, owner: str, method: str, singleton: bool = False) -> str | None:
        return self.invented.get(f"{owner}{'.' if singleton else '#'}{method}")


def _names(table: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(table.get(key, ()))


@cache
def load_roles() -> Roles:
    """The roles shipped beside the catalogues (cached for the process)."""
    with (catalogue_dir() / ROLES_FILE).open("rb") as handle:
        data = tomllib.load(handle)
    sends, entry, replies = data["sends"], data["entry_points"], data["replies"]
    chat = data["chat_classes"]
    errors = data["errors"]
    parents = {**errors["ruby"], **errors["transport"], **errors["other_clients"]}
    return Roles(
        chat_sends=_names(sends, "chat"),
        module_sends=_names(sends, "module"),
        transcription=str(sends["transcription"]),
        ask_sends=_names(sends, "ask"),
        entry_module_methods=_names(entry, "module"),
        entry_constructors=_names(entry, "constructors"),
        other_entry_points=_names(entry, "other"),
        reply_reads=_names(replies, "read"),
        reply_classes=_names(replies, "classes"),
        instruction_methods=_names(data["instructions"], "methods"),
        agent_instructions_macro=data["instructions"]["agent_macro"],
        replay_methods=_names(data["history"], "replay"),
        replay_content=data["history"]["replay_content"],
        messages_methods=_names(data["history"], "messages"),
        process_resources=tuple(data["process_resources"]["constructors"]),
        chat_classes=_names(chat, "classes"),
        agent=chat["agent"],
        configuration=chat["configuration"],
        chunk=chat["chunk"],
        message=chat["message"],
        tool=chat["tool"],
        streaming_methods=_names(chat, "streaming"),
        message_callbacks=_names(chat, "message_callbacks"),
        acts_as=tuple(ActsAs(macro, spec["new"], spec["legacy"])
                      for macro, spec in sorted(data["acts_as"].items())),
        error_base=errors["base"],
        exception_parents={k: v for k, v in parents.items()},
        transport_errors=frozenset(errors["transport"]),
        other_client_errors=frozenset(errors["other_clients"]),
        invented=dict(data["invented"]),
        invented_keywords=dict(data["invented_keywords"]),
        external_clients=dict(data["external_clients"]),
        external_client_sends=_names(data["external_client_sends"], "methods"),
    )
