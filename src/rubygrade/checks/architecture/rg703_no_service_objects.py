"""RG703: every LLM call lives in a controller, view or helper: no service object or PORO."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

_UI_DIRS = ("app/controllers/", "app/views/", "app/helpers/")


class NoServiceObjects(Rule):
    """The LLM logic has no home of its own: every call sits in a controller, view or helper.

    ## What it does
    When the app calls an LLM, checks that at least one call lives outside
    controllers, views and helpers: a service object or PORO (`app/services`,
    `app/models`, `lib/`), a job, or a model.

    ## Why is this bad?
    Without a service the conversation logic cannot be unit-tested with a
    fake chat or reused from a job; the controller turns into a script.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = RubyLLM.chat.ask(params[:content]).content
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_responder.rb
    class ChatResponder
      def initialize(chat = RubyLLM.chat) = @chat = chat
      def reply(text) = @chat.ask(text).content
    end
    ```
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = ChatResponder.new.reply(params[:content])
      end
    end
    ```
    """

    id = "RG703"
    name = "no-service-objects"
    dimension = Dimension.ARCHITECTURE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        calls = [c.call for c in ctx.analyses.llm_calls if ctx.project.is_app_code(c.call.path)]
        if not calls:
            return
        if any(not (ctx.project.app_relative(c.path) or "").startswith(_UI_DIRS) for c in calls):
            return
        # A class outside the UI layer that builds RubyLLM objects is a service even when the
        # type inference could not follow its chat into the call.
        for source in ctx.project.app_files("ruby"):
            rel = ctx.project.app_relative(source.path) or ""
            if rel.startswith(("app/services/", "app/models/", "lib/", "app/lib/")) and \
                    "RubyLLM" in source.text:
                return
        first = calls[0]
        ctx.report_node(first.path, first.node,
                        f"All {len(calls)} LLM call(s) live in controllers, views or helpers; "
                        "no service object or PORO holds the conversation logic.",
                        fix="Extract the LLM conversation into a class under app/services.")
