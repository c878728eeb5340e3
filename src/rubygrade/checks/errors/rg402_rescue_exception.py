"""RG402: ``rescue Exception`` swallows signals, exits and syntax errors."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import RescueClause
from rubygrade.models import Dimension, Severity


def all_rescues(ctx: Context) -> list[RescueClause]:
    """Every rescue clause of the app's Ruby code (not tests), once, sorted by place."""
    seen: dict[tuple[str, int], RescueClause] = {}
    for call in ctx.index.calls:
        for clause in call.rescues:
            seen.setdefault((clause.path, clause.line), clause)
    for method in ctx.index.methods:
        for clause in method.rescues:
            seen.setdefault((clause.path, clause.line), clause)
    return [c for k, c in sorted(seen.items(), key=lambda kv: kv[0])
            if ctx.project.is_app_code(c.path)]


class RescueException(Rule):
    """`rescue Exception` catches far more than errors: interrupts, exits, out-of-memory.

    ## What it does
    Finds `rescue Exception` (and `rescue_from Exception`) in the app's code.

    ## Why is this bad?
    `Exception` is the root of `SignalException`, `SystemExit` and
    `NoMemoryError`: rescuing it keeps a worker from shutting down cleanly and
    hides bugs. LLM errors are `StandardError`s; `RubyLLM::Error` names them.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(chat, prompt)
        chat.ask(prompt)
      rescue Exception => e
        Rails.logger.error(e.message)
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(chat, prompt)
        chat.ask(prompt)
      rescue RubyLLM::Error, Faraday::Error => e
        Rails.logger.error(e.message)
      end
    end
    ```
    """

    id = "RG402"
    name = "rescue-exception"
    dimension = Dimension.ERRORS
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        for clause in all_rescues(ctx):
            if any(e.removeprefix("::") == "Exception" for e in clause.exceptions):
                ctx.report_node(clause.path, clause.node,
                                "`rescue Exception` also catches interrupts and exits; "
                                "rescue the errors the code can raise.",
                                fix="Rescue RubyLLM::Error (or StandardError at most).")
        for call in ctx.index.calls_named("rescue_from"):
            if not ctx.project.is_app_code(call.path):
                continue
            if call.positional and call.positional[0].value.type == "constant" and \
                    call.positional[0].value.text == b"Exception":
                ctx.report_node(call.path, call.node,
                                "`rescue_from Exception` also catches interrupts and exits; "
                                "rescue the errors the code can raise.",
                                fix="rescue_from RubyLLM::Error (or StandardError at most).")
