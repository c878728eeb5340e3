"""RG401: an LLM call whose errors nothing rescues before they become a 500."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity


class UnguardedLlmCall(Rule):
    """An LLM call with no `rescue` between it and the request: an API hiccup is a 500 page.

    ## What it does
    For every call that reaches the model (`ask`, `complete`, `embed`, ... on a
    value known to be a RubyLLM object, or a bypass HTTP call), looks for a
    handler on the way out: a `rescue` around the call or in its method, a
    `rescue` at the call site in every caller on the path from a controller
    action, job, channel or mailbox, or `rescue_from` in the controller or an
    ancestor such as `ApplicationController`. Reports each unguarded call once,
    with the route that reaches it.

    ## Why is this bad?
    Provider timeouts, rate limits and 5xx answers are routine. Unhandled, they
    surface as a 500 page or a dead job instead of a message the user can act on.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = RubyLLM.chat.ask(params[:content])
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = RubyLLM.chat.ask(params[:content])
      rescue RubyLLM::Error => e
        flash.now[:alert] = "The assistant is unavailable: #{e.message}"
        render :show, status: :service_unavailable
      end
    end
    ```
    """

    id = "RG401"
    name = "unguarded-llm-call"
    dimension = Dimension.ERRORS
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        results = ctx.analyses.guards.results
        if not results:
            return
        shape = "partial" if any(r.guarded for r in results) else "none"
        seen: set[tuple[str, int, int]] = set()
        for r in results:
            call = r.llm.call
            where = (call.path, call.line, call.column)
            if r.guarded or where in seen:
                continue
            seen.add(where)
            label = f"`{call.method}` ({r.llm.api})"
            if r.route:
                how = "reached from " + " → ".join(r.route) + " with no rescue on the way"
                confidence = Confidence.HIGH
            else:
                owner = call.enclosing_method.key if call.enclosing_method else call.path
                how = (f"in {owner}, which no controller action or job reaches in the call "
                       "graph, and no caller rescues it")
                confidence = Confidence.MEDIUM
            ctx.report_node(
                call.path, call.node,
                f"LLM call {label} is not guarded: {how}; a timeout or API error becomes a 500.",
                fix="Rescue RubyLLM::Error (and Faraday::Error) around the call or in the "
                    "controller (rescue_from), and show the user a friendly error.",
                confidence=confidence, data={"shape": shape})
