"""RG506: the conversation is not stored anywhere between requests."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoConversationPersistence(Rule):
    """The app chats with the model but keeps no conversation between requests.

    ## What it does
    When the app sends chat messages, looks for a place the conversation is
    kept: the session, `Rails.cache`, a database model (`acts_as_chat`), or
    even process memory (reported by RG501). Reports at the first send when
    there is none.

    ## Why is this bad?
    Without stored history the app is a demo: a page reload or the next message
    loses the conversation.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = RubyLLM.chat.ask(params[:content]).content
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        history = Array(session[:messages]).last(20)
        chat = RubyLLM.chat
        history.each { |m| chat.add_message(role: m["role"], content: m["content"]) }
        @reply = chat.ask(params[:content]).content
        turn = [{ "role" => "user", "content" => params[:content] },
                { "role" => "assistant", "content" => @reply }]
        session[:messages] = (history + turn).last(20)
      end
    end
    ```
    """

    id = "RG506"
    name = "no-conversation-persistence"
    dimension = Dimension.PERSISTENCE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        sends = [c.call for c in ctx.analyses.llm_calls
                 if c.chat_turn and ctx.project.is_app_code(c.call.path)]
        if not sends or ctx.analyses.history.stored or ctx.analyses.state:
            return
        ctx.report_node(sends[0].path, sends[0].node,
                        "The conversation is stored nowhere (no session, Rails.cache or "
                        "database): every message starts from scratch.",
                        fix="Keep the history in the session (capped) or Rails.cache with "
                            "expires_in, and replay it into the chat.")
