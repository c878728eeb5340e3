"""RG207: the app uses RubyLLM but never sets a system prompt with with_instructions."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoSystemPrompt(Rule):
    """The app talks to the model without a system prompt (`with_instructions`).

    ## What it does
    When the app asks RubyLLM chats, looks for `with_instructions` (or
    `with_runtime_instructions`, or an Agent's `instructions`) anywhere in the
    app code, including a call on `self` inside an `acts_as_chat` model or a
    concern it includes, or a message with the system role stored on an
    `acts_as_chat` record (`messages.create!(role: "system", ...)`, which is what
    the gem's `with_instructions` persists; the record replays it on every ask).
    An app that builds chats but never sends a message has
    no conversation to instruct and is left alone.

    ## Why is this bad?
    Without a system prompt the assistant's tone, format and limits are left to
    the provider's defaults; prompt text pasted into the first user message is
    lost or repeated on every turn.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(question)
        RubyLLM.chat.ask("You are a helpful assistant. #{question}").content
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(question)
        RubyLLM.chat.with_instructions("You are a helpful assistant.").ask(question).content
      end
    end
    ```
    """

    id = "RG207"
    name = "no-system-prompt"
    dimension = Dimension.RUBYLLM
    severity = Severity.INFO

    def check(self, ctx: Context) -> None:
        u = ctx.analyses.usage
        if not u.sends or u.instructions:
            return  # an app that never sends a message has no conversation to instruct
        first = (u.entry_points or u.sends)[0]
        ctx.report_node(
            first.path, first.node,
            "The app uses RubyLLM but never sets a system prompt with with_instructions "
            f"(ruby_llm {ctx.catalogue_version}).",
            fix="Set the system prompt with chat.with_instructions(\"...\").")
