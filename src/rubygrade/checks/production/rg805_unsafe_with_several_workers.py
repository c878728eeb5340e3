"""RG805: the app is not safe to run with several workers (process-local state, see RG501)."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class UnsafeWithSeveralWorkers(Rule):
    """Process-local state makes the app wrong as soon as it runs more than one worker.

    ## What it does
    Reports once, at the first store RG501 finds, when the app keeps request
    state in process memory (class variables, class-level ivars, mutable
    constants, globals, Singletons).

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
        if not state:
            return
        first = state[0]
        names = ", ".join(f"`{s.name}`" for s in state[:4])
        ctx.report(first.path, first.line,
                   f"{len(state)} process-local store(s) ({names}) make the app wrong with "
                   "several Puma workers or containers (see RG501).",
                   fix="Move the state to the session, Rails.cache or the database.")
