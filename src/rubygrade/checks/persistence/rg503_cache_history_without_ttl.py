"""RG503: chat history written to Rails.cache with no expiry."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class CacheHistoryWithoutTtl(Rule):
    """Conversation written to `Rails.cache` without `expires_in`.

    ## What it does
    Finds `Rails.cache.write` and `Rails.cache.fetch { }` calls that store chat
    history (the key or method names messages, history, conversation, chat)
    without `expires_in:` (or `expires_at:`).

    ## Why is this bad?
    Abandoned conversations pile up until the cache evicts them by pressure,
    which may drop an active chat before a stale one.

    ## Example
    ```ruby app/services/chat_history.rb
    class ChatHistory
      def initialize(id) = @id = id

      def save(messages) = Rails.cache.write("chat/#{@id}/messages", messages)
    end
    ```

    Use instead:
    ```ruby app/services/chat_history.rb
    class ChatHistory
      def initialize(id) = @id = id

      def save(messages)
        Rails.cache.write("chat/#{@id}/messages", messages.last(50), expires_in: 2.hours)
      end
    end
    ```
    """

    id = "RG503"
    name = "cache-history-without-ttl"
    dimension = Dimension.PERSISTENCE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        for write in ctx.analyses.history.cache:
            if not write.ttl:
                ctx.report_node(write.call.path, write.call.node,
                                f"Rails.cache.{write.call.method} stores chat history with no "
                                "expires_in; abandoned conversations never expire.",
                                fix="Pass expires_in: (e.g. 2.hours) to every history write.")
