"""RG403: the handler guarding an LLM call is a blanket rescue (reported, not scored)."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class BlanketRescueAroundLlmCall(Rule):
    """The only thing between an LLM call and a 500 is a blanket `rescue`.

    ## What it does
    For each guarded LLM call, looks at the handler that catches its errors.
    A bare `rescue`, `rescue => e`, `rescue StandardError` or
    `rescue_from StandardError` is reported once per handler; a typed rescue
    (`RubyLLM::Error` and its subclasses, `Faraday::Error`, `Timeout::Error`)
    is recorded as evidence instead.

    ## Why is this bad?
    A blanket rescue turns programming errors (a `NoMethodError` from an
    invented API) into the same "try again later" message as a provider
    outage, so bugs ship unnoticed.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(prompt)
        RubyLLM.chat.ask(prompt).content
      rescue => e
        "Something went wrong"
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(prompt)
        RubyLLM.chat.ask(prompt).content
      rescue RubyLLM::RateLimitError
        "The assistant is busy, try again in a minute"
      rescue RubyLLM::Error => e
        "The assistant failed: #{e.message}"
      end
    end
    ```
    """

    id = "RG403"
    name = "blanket-rescue-around-llm-call"
    dimension = Dimension.ERRORS
    severity = Severity.INFO

    def check(self, ctx: Context) -> None:
        seen: set[tuple[str, int]] = set()
        for result in ctx.analyses.guards.results:
            for handler in result.handlers:
                if not handler.blanket or (handler.path, handler.line) in seen:
                    continue
                seen.add((handler.path, handler.line))
                caught = ", ".join(handler.exceptions) or "every StandardError (bare rescue)"
                ctx.report(handler.path, handler.line,
                           f"The {handler.kind} guarding the LLM call at "
                           f"{result.llm.call.path}:{result.llm.call.line} catches {caught}, "
                           "not the LLM errors it means.",
                           fix="Rescue RubyLLM::Error (and Faraday::Error, Timeout::Error) "
                               "so programming errors still surface.")
