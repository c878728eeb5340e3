"""RG507: the whole stored conversation is sent to the model on every turn."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class DatabaseHistoryWithoutCap(Rule):
    """Every stored message goes back to the model on each turn: nothing caps the history.

    ## What it does
    Finds where a database-backed conversation is replayed to the model: an
    `acts_as_chat` record's `ask`/`complete` (the gem sends every message of the
    chat), or `add_message` in a loop over a collection of the app's message
    records. Reports the first one when nothing limits what is sent: no
    `.last(n)`/`limit` on the replayed messages, no validation capping how many a
    chat holds, no scope or `to_llm` override in the model.

    ## Why is this bad?
    A long conversation grows the prompt without bound: each turn costs more and
    is slower, and the chat fails once the model's context window is full. The
    rubric takes the same two points from an uncapped session history.

    ## Example
    ```ruby app/models/conversation.rb
    class Conversation < ApplicationRecord
      acts_as_chat
    end
    ```
    ```ruby app/services/chat_service.rb
    class ChatService
      class Unavailable < StandardError; end

      def reply(text)
        Conversation.find_or_create_by!(id: 1).ask(text).content
      rescue RubyLLM::Error
        raise Unavailable
      end
    end
    ```

    Use instead:
    ```ruby app/models/conversation.rb
    class Conversation < ApplicationRecord
      acts_as_chat

      MAX_MESSAGES = 40
      validate :few_enough_messages

      private

      def few_enough_messages
        errors.add(:messages, "too many") if messages.count > MAX_MESSAGES
      end
    end
    ```
    """

    id = "RG507"
    name = "database-history-without-cap"
    dimension = Dimension.PERSISTENCE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        uncapped = [r for r in ctx.analyses.history.replays if r.cap is None]
        if not uncapped:
            return
        first = sorted(uncapped, key=lambda r: (r.call.path, r.call.line))[0]
        ctx.report_node(first.call.path, first.call.node,
                        f"Nothing caps the history sent to the model ({first.how}): every turn "
                        "sends the whole conversation, until it overflows the context window.",
                        fix="Send only the latest messages (messages.last(20)), or cap how many "
                            "a chat keeps.")
