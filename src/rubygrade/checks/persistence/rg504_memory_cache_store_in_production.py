"""RG504: history lives in Rails.cache but production uses a per-process memory store."""

from __future__ import annotations

from rubygrade.analysis.history import production_cache_store
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity

_LOCAL = {"memory_store", "null_store"}


class MemoryCacheStoreInProduction(Rule):
    """`Rails.cache` holds the conversation, but production's cache store is process-local.

    ## What it does
    When the app keeps chat history in `Rails.cache`, reads the production
    `config.cache_store`: `:memory_store` (or `:null_store`) is reported at the
    setting; no setting at all is reported at the first history write.

    ## Why is this bad?
    A memory store is one per Puma worker: with several workers or a restart,
    the history is gone or differs between requests.

    ## Example
    ```ruby app/services/chat_history.rb
    class ChatHistory
      def initialize(id) = @id = id

      def messages = Rails.cache.fetch("chat/#{@id}/messages", expires_in: 2.hours) { [] }
    end
    ```
    ```ruby config/environments/production.rb
    Rails.application.configure do
      config.cache_store = :memory_store
    end
    ```

    Use instead:
    ```ruby config/environments/production.rb
    Rails.application.configure do
      config.cache_store = :solid_cache_store # or :redis_cache_store
    end
    ```
    """

    id = "RG504"
    name = "memory-cache-store-in-production"
    dimension = Dimension.PERSISTENCE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        writes = ctx.analyses.history.cache
        if not writes:
            return
        setting = production_cache_store(ctx.project)
        if setting is not None and setting[2] in _LOCAL:
            ctx.report(setting[0], setting[1],
                       f"Production uses :{setting[2]} while chat history lives in Rails.cache: "
                       "each worker has its own copy, lost on restart.",
                       fix="Use a shared store (solid_cache, Redis, Memcached) in production.")
        elif setting is None:
            call = writes[0].call
            ctx.report_node(call.path, call.node,
                            "Chat history lives in Rails.cache but production sets no "
                            "cache_store, so each server keeps its own copy.",
                            fix="Set config.cache_store to a shared store in "
                                "config/environments/production.rb.",
                            confidence=Confidence.MEDIUM)
