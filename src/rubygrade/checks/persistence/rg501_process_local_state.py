"""RG501: conversation or request state kept in the memory of one Ruby process."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

_SHAPES = {"class_ivar": "class-level instance variable", "class_variable": "class variable",
           "mutable_constant": "mutable constant used as a store", "global": "global variable",
           "singleton": "Singleton", "class_chat": "class-level memoised chat"}


class ProcessLocalState(Rule):
    """State in a class variable, class-level ivar, mutable constant, global or Singleton.

    ## What it does
    Finds stores that live in one process and that the app writes request
    data into while serving requests (a method a controller action, job or
    channel reaches): `@@conversations[id] << text`, `STORE[id] = message`,
    `$chat = ...`, `@store` in `class << self`, a store behind a memoising
    accessor (`def self.store = @store ||= {}` then `store[id] = value`), a
    `Singleton` whose methods keep what requests send, a per-request counter
    (`@@count += 1`, `Concurrent::AtomicFixnum#increment`), and a RubyLLM
    chat memoised at class level. "Request data" is what the request, the
    model or a stored conversation brings (the taint analysis), an argument
    of the writing method, or a RubyLLM value.

    Not state: a frozen constant, a memoised client, a memo of what the code
    computes the same way in every process (a parsed configuration,
    `X[k] ||= f(k)`), a registry filled while classes load, and class-macro
    DSL setters (`connector_key "slack"`) whose every call is in a class
    body, and a cache of connections or server processes (`@@clients[id] =
    RubyLLM::MCP.client(...)`, the calls listed in `roles.toml`
    `[process_resources]`): each worker opens its own. Production settings
    that keep data in one process (the async Action Cable or Active Job
    adapter, `:memory_store`) are RG805's.

    ## Why is this bad?
    The conversation is lost on every restart or deploy, and with several Puma
    workers or containers each request may land on a process that has never
    seen it. A class-level chat is shared by every user.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      @@conversations = {}

      def reply(text, chat_id = "default")
        (@@conversations[chat_id] ||= []) << text
        "You said: #{text}"
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text, chat_id = "default")
        key = "chat/#{chat_id}"
        history = Rails.cache.fetch(key, expires_in: 2.hours) { [] }
        Rails.cache.write(key, (history + [text]).last(50), expires_in: 2.hours)
        "You said: #{text}"
      end
    end
    ```
    """

    id = "RG501"
    name = "process-local-state"
    dimension = Dimension.PERSISTENCE
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        for site in ctx.analyses.state:
            owner = f" of {site.owner}" if site.owner and site.shape != "singleton" else ""
            ctx.report(site.path, site.line,
                       f"`{site.name}`{owner} is a {_SHAPES[site.shape]} ({site.how}): it lives "
                       "in one process, is lost on restart and differs between workers.",
                       fix="Keep the conversation in the session (capped), Rails.cache with "
                           "expires_in, or the database.",
                       data={"shape": site.shape})
