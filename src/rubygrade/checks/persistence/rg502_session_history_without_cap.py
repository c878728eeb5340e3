"""RG502: the chat history grows in the session cookie with no cap."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class SessionHistoryWithoutCap(Rule):
    """Chat history appended to the session with nothing that limits its size.

    ## What it does
    Finds `session[:messages]` (or `:history`, `:conversation`, ...) written in
    the app, and looks in the methods that touch that key for a cap: `last(n)`,
    `first(n)`, `shift`, a `MAX_` constant, a size or byte check.

    ## Why is this bad?
    The default cookie store holds about 4 KB. A long conversation overflows it
    and Rails raises `ActionDispatch::Cookies::CookieOverflow`: the chat breaks
    after a few long answers.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        session[:messages] ||= []
        session[:messages] << { "role" => "user", "content" => params[:content] }
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      MAX_MESSAGES = 20

      def create
        message = { "role" => "user", "content" => params[:content] }
        session[:messages] = (Array(session[:messages]) + [message]).last(MAX_MESSAGES)
      end
    end
    ```
    """

    id = "RG502"
    name = "session-history-without-cap"
    dimension = Dimension.PERSISTENCE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        for store in ctx.analyses.history.session:
            if store.capped is None:
                ctx.report(store.path, store.line,
                           f"session[:{store.key}] grows with every message and nothing caps "
                           "it; the ~4 KB cookie overflows in a long chat.",
                           fix="Keep only the last N messages (e.g. .last(20)) or move history "
                               "to Rails.cache or the database.")
