"""RG401: an LLM call whose errors nothing rescues before they become a 500."""

from __future__ import annotations

from rubygrade.analysis.validations import blocked_by_presence
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity

#: What an escaped LLM error does, by the kind of entry point it escapes from.
_OUTCOME = {
    "action": "becomes a 500 page",
    "view": "becomes a 500 page",
    "callback": "fails the save that ran the callback (a 500 page when a request saved it)",
    "job": "fails the job: the user waits for a reply that never comes, with no error shown",
    "channel": "kills the cable message: the user's turn gets no reply and no error",
    "mailbox": "bounces the inbound email's processing",
    "task": "crashes the task",
}


class UnguardedLlmCall(Rule):
    """An LLM call with no `rescue` between it and the request: an API hiccup is a 500 page.

    ## What it does
    For every call that reaches the model (`ask`, `complete`, `embed`, ... on a
    value known to be a RubyLLM object, or a bypass HTTP call), follows its
    exception out: the `rescue` clauses around the call and in its method, the
    rescues at the call sites of every caller on the path from a controller
    action, job, channel, mailbox, view, rake task or model callback, and
    `rescue_from`/`retry_on`/`discard_on` of the entry point's class or an
    ancestor such as `ApplicationController` (the last declared match wins). A
    rescue counts only if it can catch what the call raises (`RubyLLM::Error` and
    its subclasses, `Faraday::Error`, `StandardError`, ...: not `ArgumentError`,
    not an app class the gem never raises) and does not re-raise. Reports each
    unguarded call once, with the route that reaches it; a call no entry point
    reaches is reported at info level and not scored, and so is one in a model
    callback that returns before it while an attribute is present (`return if
    description.present?`) that the model validates unconditionally (`validates
    :description, presence: true`): no saved record gets past that return. When
    the app may pick the call's class by name at run time
    (`"Adapters::#{kind}".constantize`, a class name spelled in a string that a
    `constantize` resolves), the unreached call says so instead of claiming
    nothing reaches it.

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
        served = [r for r in results if r.reachable]
        shape = "partial" if any(r.guarded for r in served) else "none"
        seen: set[tuple[str, int, int]] = set()
        for r in results:
            call = r.llm.call
            where = (call.path, call.line, call.column)
            if r.guarded or where in seen:
                continue
            seen.add(where)
            label = f"`{call.method}` ({r.llm.api})"
            missed = f" ({'; '.join(r.misses)})" if r.misses else ""
            blocked = blocked_by_presence(ctx.index, call) if r.route else None
            if r.route and blocked is None:
                ctx.report_node(
                    call.path, call.node,
                    f"LLM call {label} is not guarded: reached from {' → '.join(r.route)} "
                    f"with no rescue on the way that catches its errors{missed}; a timeout "
                    f"or API error {_OUTCOME.get(r.entry_kind or '', _OUTCOME['action'])}.",
                    fix="Rescue RubyLLM::Error (and Faraday::Error) around the call or in the "
                        "controller (rescue_from), and show the user a friendly error.",
                    confidence=Confidence.HIGH if r.llm.certain else Confidence.MEDIUM,
                    data={"shape": shape})
                continue
            owner = call.enclosing_method.key if call.enclosing_method else call.path
            picker = None if blocked is not None else \
                ctx.analyses.dynamic_classes.resolver_of(call.enclosing_class or "")
            if picker is not None:
                message = (
                    f"LLM call {label} has no rescue{missed}. No call rubygrade can follow "
                    f"reaches {owner}, but the app may pick {call.enclosing_class} by name at "
                    f"run time (`{picker.method}` at {picker.path}:{picker.line}), and whether a "
                    "rescue guards the call on that path is not followed (reported, not "
                    "scored).")
            else:
                why = (f"it runs only when `{blocked}` is blank, and the model validates its "
                       "presence, so the callback returns before it on every save") \
                    if blocked is not None else (
                        "no controller action, job, channel, mailbox, view, rake task or "
                        f"callback reaches {owner}")
                message = (f"LLM call {label} has no rescue{missed}, but {why}: its failure is "
                           "not a 500 page today (reported, not scored).")
            ctx.report_node(
                call.path, call.node, message,
                fix="Guard it where it will be called from, or remove the dead code.",
                severity=Severity.INFO, confidence=Confidence.LOW, data={"shape": "unreached"})
