"""RG205: the app talks to an LLM without ruby_llm."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class LlmCallBypassesRubyllm(Rule):
    """The app calls an LLM through another client or raw HTTP instead of ruby_llm.

    ## What it does
    Finds calls on clients of other LLM libraries (`OpenAI::Client`, the
    `openrouter` gem) and HTTP POSTs (Net::HTTP, Faraday, HTTParty) in files
    that name an LLM endpoint (openrouter.ai, api.openai.com, Ollama on
    port 11434, ...). Test files are skipped.

    ## Why is this bad?
    The brief asks for ruby_llm. A hand-rolled client re-implements retries,
    streaming, error classes and message history, usually without any of them.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(history)
        client = OpenAI::Client.new(access_token: ENV["OPENROUTER_API_KEY"])
        client.chat(parameters: { model: "gpt-4o", messages: history })
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        RubyLLM.chat(model: "anthropic/claude-sonnet-4", provider: :openrouter).ask(text)
      end
    end
    ```
    """

    id = "RG205"
    name = "llm-call-bypasses-rubyllm"
    dimension = Dimension.RUBYLLM
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        reported: set[str] = set()
        for item in ctx.analyses.llm_calls:
            if item.kind != "bypass" or not ctx.project.is_app_code(item.call.path):
                continue
            reported.add(item.call.path)
            ctx.report_node(
                item.call.path, item.call.node,
                f"LLM request through {item.api} instead of ruby_llm "
                f"(checked against ruby_llm {ctx.catalogue_version or 'none locked'}).",
                fix="Send the request with RubyLLM.chat(...).ask(...) "
                    "(provider: :openrouter for OpenRouter).",
                data={"api": item.api})
        # A client built but never seen sending (e.g. passed around): report its construction.
        clients = ctx.analyses.values.roles.external_clients
        for call in ctx.index.calls_named("new"):
            const = (call.receiver_constant or "").removeprefix("::")
            if const in clients and call.path not in reported and \
                    ctx.project.is_app_code(call.path):
                reported.add(call.path)
                ctx.report_node(
                    call.path, call.node,
                    f"{const} (the {clients[const]} gem) is used to reach the LLM "
                    "instead of ruby_llm.",
                    fix="Replace the client with RubyLLM.chat(...).", data={"api": const})
