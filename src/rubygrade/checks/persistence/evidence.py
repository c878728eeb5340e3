"""Good persistence the rubric credits: capped session history, cache with TTL, database chats."""

from __future__ import annotations

from typing import ClassVar

from rubygrade.checks.base import EvidenceCollector
from rubygrade.context import Context
from rubygrade.models import Dimension


class PersistenceEvidence(EvidenceCollector):
    dimension = Dimension.PERSISTENCE
    detects: ClassVar[dict[str, str]] = {
        "session_history": "the conversation kept in the session (a history-like session key)",
        "session_history_capped": "that session history trimmed to a number of messages",
        "cache_with_ttl": "the conversation written to Rails.cache with `expires_in`",
        "database_backed_chats": "an acts_as_chat (or message) model whose conversation is "
                                 "asked again",
    }

    def collect(self, ctx: Context) -> None:
        h = ctx.analyses.history
        for store in h.session:
            ctx.evidence("session_history", Dimension.PERSISTENCE,
                         f"Conversation kept in session[:{store.key}].", store.path, store.line)
            if store.capped is not None:
                ctx.evidence("session_history_capped", Dimension.PERSISTENCE,
                             f"session[:{store.key}] is capped.", *store.capped)
        for write in h.cache:
            if write.ttl:
                ctx.evidence("cache_with_ttl", Dimension.PERSISTENCE,
                             "Conversation kept in Rails.cache with expires_in.",
                             write.call.path, write.call.line)
        for path, line, how in h.database:
            ctx.evidence("database_backed_chats", Dimension.PERSISTENCE,
                         f"Conversation kept in the database ({how}).", path, line)
