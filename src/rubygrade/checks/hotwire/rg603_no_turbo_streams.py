"""RG603: no Turbo Stream responses or broadcasts for messages."""

from __future__ import annotations

from rubygrade.analysis.views import hotwire_anchor
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoTurboStreams(Rule):
    """The app never answers with a Turbo Stream nor broadcasts one.

    ## What it does
    Looks for `turbo_stream.append/replace/...`, `format.turbo_stream`,
    `render turbo_stream:`, `*.turbo_stream.erb` templates and `broadcast_*`
    calls in the app. None of them: one finding.

    ## Why is this bad?
    The brief asked for Turbo Streams: a new message should be appended by the
    server's stream, not by a full page reload or hand-written JavaScript.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = ChatService.new.reply(params[:content])
        redirect_to root_path
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = ChatService.new.reply(params[:content])
        respond_to { |format| format.turbo_stream }
      end
    end
    ```
    """

    id = "RG603"
    name = "no-turbo-streams"
    dimension = Dimension.HOTWIRE
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        use = ctx.analyses.turbo
        if use.responses or use.broadcasts:
            return
        ctx.report(hotwire_anchor(ctx.project), 1, "The app never responds with a Turbo Stream nor "
                   "broadcasts one.",
                   fix="Answer the message form with format.turbo_stream that appends the "
                       "message partials.")
