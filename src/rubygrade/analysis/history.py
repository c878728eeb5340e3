"""Where the conversation lives: session, Rails.cache, database (RG502-RG506 and evidence)."""

from __future__ import annotations

import re
from dataclasses import field
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.analysis.values import ValueFlow
    from rubygrade.index import Index
    from rubygrade.project import Project

HISTORY_WORD = lazy_compile(r"messag|histor|conversation|chat|turn|transcript|dialog", re.I)
CAP = lazy_compile(r"\.(?:last|first|take|drop|shift|slice!|truncate)\b|\bMAX_|\bbytesize\b"
                   r"|\.(?:size|length|count)\s*[>]=?|\blimit\b|\bcap\b|max_(?:messages|history)",
                 re.I)
#: Session keys that hold a conversation (not ``return_to``, not ``chat_id`` pointers).
SESSION_HISTORY_KEY = lazy_compile(r"messag|histor|conversation|transcript|dialog|^chats?$|"
                                   r"(?:^|_)turns(?:_|$)|^chat_log", re.I)
_SESSION_KEY = re.compile(r"session\s*\[\s*(:\w+|['\"][^'\"]+['\"])\s*\]")


@dataclass
class SessionStore:
    """A conversation kept in the session, under ``key``."""

    key: str
    path: str
    line: int
    capped: tuple[str, int] | None  # where the cap is applied


@dataclass
class CacheWrite:
    """A conversation written to ``Rails.cache``; ``ttl``: with an expiry."""

    call: CallSite
    ttl: bool


@dataclass(frozen=True)
class DatabaseReplay:
    """Where stored messages are sent back to the model: an acts_as_chat record's send
    (the gem replays every message of the chat) or ``add_message`` over a record
    collection; ``cap`` is where something limits what is sent, or None."""

    call: CallSite
    how: str
    cap: tuple[str, int] | None


@dataclass
class History:
    """Where the app keeps its conversations (session, cache, database) and replays them."""

    session: list[SessionStore] = field(default_factory=list)
    cache: list[CacheWrite] = field(default_factory=list)
    database: list[tuple[str, int, str]] = field(default_factory=list)  # path, line, how
    replays: list[DatabaseReplay] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        return bool(self.session or self.cache or self.database)


def collect_history(project: Project, index: Index, values: ValueFlow) -> History:
    h = History()
    _session(project, index, h)
    for call in index.calls_named("write", "fetch", "write_multi"):
        if call.receiver is None or not project.is_runtime(call.path):
            continue
        store = values.receiver_type(call)  # Rails.cache, or a store injected with it
        if store is None or store.kind != "store":
            continue
        if call.method == "fetch" and call.block is None:
            continue  # a read
        context = treeutil.text(call.node) + " " + (call.enclosing_method.name
                                                    if call.enclosing_method else "")
        if not HISTORY_WORD.search(context):
            continue
        h.cache.append(CacheWrite(call, call.keyword("expires_in") is not None or
                                  call.keyword("expires_at") is not None))
    h.replays = _database_replays(project, index, values)
    for call in index.calls_named("acts_as_chat"):
        if project.is_runtime(call.path):
            h.database.append((call.path, call.line, "acts_as_chat model"))
    for cls in index.classes:
        if cls.superclass in ("ApplicationRecord", "ActiveRecord::Base") and \
                re.search(r"Chat|Conversation|Message", cls.name) and \
                project.is_runtime(cls.path):
            h.database.append((cls.path, cls.line, f"{cls.name} ActiveRecord model"))
    return h


def _session(project: Project, index: Index, h: History) -> None:
    first: dict[str, tuple[str, int]] = {}
    methods_by_key: dict[str, list[str]] = {}
    for path, source in sorted(project.files.items()):
        if source.kind != "ruby" or not project.is_runtime(path) or "session" not in source.text:
            continue
        for number, line in enumerate(source.lines, start=1):
            # (``_SESSION_KEY`` starts with the word: a line without it holds no key)
            if "session" not in line or line.strip().startswith("#"):
                continue
            for match in _SESSION_KEY.finditer(line):
                key = match.group(1).strip(":'\"")
                if not SESSION_HISTORY_KEY.search(key) or re.search(r"_?ids?$", key):
                    continue
                rest = line[match.end():]
                method = index.method_at(path, number)
                body = treeutil.text(method.node) if method is not None else line
                methods_by_key.setdefault(key, []).append(body)
                # ``||= []`` only initialises; report where the history grows or is replaced.
                writes = re.match(r"\s*(?:=(?!=)|<<|\.(?:push|append|concat|<<))", rest)
                if writes and key not in first:
                    first[key] = (path, number)
    for key, (path, lineno) in sorted(first.items()):
        cap = None
        for body in methods_by_key[key]:
            found = CAP.search(body)
            if found:
                cap = (path, lineno)
                break
        h.session.append(SessionStore(key, path, lineno, cap))


def production_cache_store(project: Project) -> tuple[str, int, str] | None:
    """(path, line, store) of the production cache store setting, or None when unset."""
    for rel in ("config/environments/production.rb", "config/application.rb"):
        source = project.get(rel)
        if source is None:
            continue
        for number, line in enumerate(source.lines, start=1):
            match = re.match(r"\s*config\.cache_store\s*=\s*:?(\w+)", line)
            if match:
                return source.path, number, match.group(1)
    return None


#: A validation or scope that limits how many messages a chat holds.
_MODEL_CAP = re.compile(r"validates?\s+:messages\b[^\n]*(?:maximum|length)|"
                        r"messages\b[^\n]*\.(?:count|size|length)\s*[<>]=?|"
                        r"\bMAX_\w*MESSAGES\b|"
                        r"has_many\s+:messages\s*,\s*->\s*\{[^}]*\blimit\b|"
                        r"def\s+(?:to_llm|messages_for_llm|llm_messages)\b", re.I)


def _database_replays(project: Project, index: Index, values: ValueFlow) -> list[DatabaseReplay]:
    out: list[DatabaseReplay] = []
    roles = values.roles
    for call in index.calls_named(*sorted(roles.chat_sends | roles.replay_methods)):
        if not project.is_runtime(call.path):
            continue
        recv = values.receiver_type(call)
        if recv is None:
            continue
        if call.method in roles.chat_sends and recv.kind == "record" and \
                recv.owner in values.chat_record_modules and recv.app_class:
            out.append(DatabaseReplay(call, f"{recv.app_class} replays every stored message",
                                      _model_cap(project, index, recv.app_class, call)))
        elif call.method in roles.replay_methods and recv.is_rubyllm:
            loop = _iterated(call)
            if loop is None:
                continue
            kind = values.type_at(loop, call)
            if kind is None or kind.kind != "collection" or not kind.app_class:
                continue
            cap = (call.path, call.line) if CAP.search(_iterated_text(index, loop, call)) else \
                _model_cap(project, index, kind.app_class, call)
            out.append(DatabaseReplay(call, f"every stored {kind.app_class} is replayed", cap))
    return out


def _iterated_text(index: Index, loop: Node, call: CallSite) -> str:
    """The iterated collection's text, with what a local holding it was assigned
    (``previous = chat.messages.last(19)`` then ``previous.each``): the cap may be there."""
    text = treeutil.text(loop)
    if loop.type != "identifier":
        return text
    writes = index.local_assignments(call.enclosing_method, call.path, text)
    return " ".join([text, *(treeutil.text(w.value) for w in writes if w.value is not None)])


def _iterated(call: CallSite) -> Node | None:
    """``records.each { |m| chat.add_message(...) }``: the collection iterated."""
    for anc in treeutil.ancestors(call.node):
        if anc.type in ("method", "singleton_method"):
            return None
        if anc.type in ("block", "do_block"):
            owner = treeutil.parent_of(anc)
            if owner is not None and owner.type == "call":
                return owner.child_by_field_name("receiver")
    return None


def _model_cap(project: Project, index: Index, model: str,
               call: CallSite) -> tuple[str, int] | None:
    """A cap in the chat's or its messages' model: a validation, a limited scope, a
    ``to_llm`` of its own."""
    del call
    for name in (model, "Message"):
        for cls in index.class_defs(index.resolve_constant(name, None)):
            match = _MODEL_CAP.search(treeutil.text(cls.node))
            if match is not None:
                return cls.path, cls.line + treeutil.text(cls.node)[: match.start()].count("\n")
    return None
