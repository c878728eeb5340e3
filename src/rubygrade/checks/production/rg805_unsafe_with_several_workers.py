"""RG805: the app is not safe to run with several workers (process-local state, single-process settings)."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class UnsafeWithSeveralWorkers(Rule):
    """Process-local state or a one-process production setting makes the app wrong with several workers.

    ## What it does
    Reports once, at the first store RG501 finds, when the app keeps request
    state in process memory (class variables, class-level ivars, mutable
    constants, globals, Singletons), and at its line each production setting
    that keeps in one process what every process needs, when the app uses it:

    - `config/cable.yml`'s production `adapter: async` while the app
      broadcasts or streams (Turbo Streams, channels): a broadcast reaches
      only the browsers connected to the process that made it;
    - `config.active_job.queue_adapter = :async` for production while the
      app enqueues jobs: they run in the web process's threads and are lost
      on restart or deploy;
    - `config.cache_store = :memory_store` in production while the app
      writes to `Rails.cache`, uses `rate_limit` or keeps sessions in the
      cache: each worker has its own copy.

    These settings are production readiness, not where the conversation
    lives, so they are this rule's, not RG501's (which reports Ruby stores);
    a memory store holding the chat history is RG504's finding and is not
    repeated here. A `Rails.cache.fetch` memo is right in every process.

    ## Why is this bad?
    Production Rails runs several Puma workers and often several containers;
    each has its own copy of that memory, so users see conversations vanish
    or mix depending on which process answers.

    ## Example
    ```ruby app/services/chat_store.rb
    require "singleton"

    class ChatStore
      include Singleton

      def initialize
        @chats = {}
      end

      def append(id, message) = (@chats[id] ||= []) << message
    end
    ```
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        ChatStore.instance.append("default", text)
        "You said: #{text}"
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_store.rb
    class ChatStore
      def append(id, message)
        history = Rails.cache.fetch("chat/#{id}", expires_in: 2.hours) { [] }
        Rails.cache.write("chat/#{id}", (history + [message]).last(50), expires_in: 2.hours)
      end
    end
    ```
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        ChatStore.new.append("default", text)
        "You said: #{text}"
      end
    end
    ```
    """

    id = "RG805"
    name = "unsafe-with-several-workers"
    dimension = Dimension.PRODUCTION
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        state = ctx.analyses.state
        if state:
            first = state[0]
            names = ", ".join(f"`{s.name}`" for s in state[:4])
            ctx.report(first.path, first.line,
                       f"{len(state)} process-local store(s) ({names}) make the app wrong with "
                       "several Puma workers or containers (see RG501).",
                       fix="Move the state to the session, Rails.cache or the database.",
                       data={"shape": "state"})
        history_in_cache = bool(ctx.analyses.history.cache)
        for setting in ctx.analyses.settings:
            if setting.kind == "memory_cache" and history_in_cache:
                continue  # RG504 reports the store that holds the conversation
            message, fix = _SETTINGS[setting.kind]
            ctx.report(setting.path, setting.line, message.format(uses=setting.uses), fix=fix,
                       data={"shape": setting.kind})


_SETTINGS = {
    "cable_async": (
        "Production Action Cable uses the async adapter, which lives in one process: a "
        "broadcast (such as {uses}) reaches only the browsers connected to the process that "
        "made it, so updates from a job or another worker never arrive.",
        "Use solid_cable or redis as the production adapter in config/cable.yml."),
    "job_async": (
        "Production runs Active Job with the async adapter: jobs (such as the one enqueued at "
        "{uses}) run in threads of the web process, and a restart or deploy loses them.",
        "Use a real queue backend in production (solid_queue, good_job, sidekiq)."),
    "memory_cache": (
        "Production caches in :memory_store, one per process: what the app writes to the "
        "cache (such as {uses}) the other workers never see, and a restart loses it.",
        "Use a shared store in production (solid_cache, Redis, Memcached)."),
}
