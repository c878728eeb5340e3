"""RG703: no service object or PORO holds the LLM logic (controllers, jobs or models only)."""

from __future__ import annotations

from rubygrade.analysis.entries import framework_role
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoServiceObjects(Rule):
    """The LLM logic has no home of its own: every call sits in a controller, job, model or view.

    ## What it does
    When the app calls an LLM, checks that some plain Ruby class holds the
    conversation: at least one LLM call inside a service object or PORO (a class
    that is not a controller, model, job, mailer, channel or tool), or a call on an
    app subclass of `RubyLLM::Agent`, which keeps the set-up (instructions, tools,
    model) out of the caller. A job or an `acts_as_chat` model calling the model is
    separate from the controller but is not a service: the benchmark's audit
    takes a point for "job only".

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
        if ctx.analyses.services:
            return
        first = calls[0]
        places = sorted({framework_role(ctx.index, c.enclosing_class) or "view or helper"
                         for c in calls})
        ctx.report_node(first.path, first.node,
                        f"All {len(calls)} LLM call(s) live in {', '.join(places)} code; no "
                        "service object or PORO holds the conversation logic.",
                        fix="Extract the LLM conversation into a plain class under app/services.")

