"""RG206: the app asks the LLM but never carries a conversation across turns."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoMultiTurnConversation(Rule):
    """Every question goes to a fresh chat: the model never sees the earlier turns.

    ## What it does
    When the app sends messages with RubyLLM, looks for a conversation that
    outlives one question: an `acts_as_chat` record that is asked (it replays
    its stored messages), history replayed with `add_message` before `ask`, the
    same chat object asked again, or the stored messages pasted into the prompt
    text (`messages.map { |m| "#{m.role}: #{m.content}" }` interpolated into the
    question, or into the system prompt given to `with_instructions`): the model
    sees the earlier turns either way.

    ## Why is this bad?
    A ChatGPT-style app must remember the conversation. Building
    `RubyLLM.chat` per request and asking only the newest message makes every
    answer context-free.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        RubyLLM.chat.ask(text).content
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def initialize(history)
        @history = history
      end

      def reply(text)
        chat = RubyLLM.chat
        @history.each { |m| chat.add_message(role: m["role"], content: m["content"]) }
        chat.ask(text).content
      end
    end
    ```
    """

    id = "RG206"
    name = "no-multi-turn-conversation"
    dimension = Dimension.RUBYLLM
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        u = ctx.analyses.usage
        if not u.sends or u.multi_turn:
            return
        first = u.sends[0]
        ctx.report_node(
            first.path, first.node,
            f"The app sends messages with RubyLLM ({len(u.sends)} call site(s)) but never "
            "replays earlier turns: no add_message history, no reused chat, no acts_as_chat "
            f"record (ruby_llm {ctx.catalogue_version}).",
            fix="Keep the conversation: persist it with acts_as_chat, or replay the stored "
                "history with chat.add_message before ask.")
