"""RG404: nothing checks that the API key is set before the app calls the model."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class MissingApiKeyPreflight(Rule):
    """No preflight for a missing API key: the first chat message fails with a provider error.

    ## What it does
    When the app calls an LLM, looks for a check that the key is configured:
    `ENV["OPENROUTER_API_KEY"].present?` (or `blank?`) that renders a message,
    `ENV.fetch("..._API_KEY") { ... }` with a friendly failure, or a
    `before_action` such as `:ensure_api_key`. Reports at the place the key is
    configured (or the first LLM call) when there is none.

    ## Why is this bad?
    A fresh clone run without the variable should tell the user what to set,
    not fail every message with an authentication error from the provider.

    ## Example
    ```ruby config/initializers/ruby_llm.rb
    RubyLLM.configure do |config|
      config.openrouter_api_key = ENV["OPENROUTER_API_KEY"]
    end
    ```
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text) = RubyLLM.chat.ask(text).content
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      before_action :ensure_api_key

      def create
        @reply = ChatService.new.reply(params[:content])
      end

      private

      def ensure_api_key
        return if ENV["OPENROUTER_API_KEY"].present?

        flash.now[:alert] = "Set OPENROUTER_API_KEY to start chatting."
        render :show, status: :service_unavailable
      end
    end
    ```
    """

    id = "RG404"
    name = "missing-api-key-preflight"
    dimension = Dimension.ERRORS
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        results = ctx.analyses.guards.results
        results = [r for r in results if r.llm.kind == "rubyllm"]
        if not results or ctx.analyses.preflight is not None:
            return
        path, line = _key_config(ctx) or (results[0].llm.call.path, results[0].llm.call.line)
        env = ctx.brief.api_key_env
        ctx.report(path, line,
                   f"Nothing checks that {env} is set before calling the model; a missing key "
                   "fails every message with a provider error.",
                   fix=f"Check ENV[\"{env}\"].present? in a before_action and render a "
                       "message that says which variable to set.")


def _key_config(ctx: Context) -> tuple[str, int] | None:
    for path, source in sorted(ctx.project.files.items()):
        if source.kind != "ruby" or not ctx.project.is_runtime(path) or "api_key" not in source.text:
            continue
        for number, line in enumerate(source.lines, start=1):
            if "_api_key" in line and "=" in line and not line.strip().startswith("#"):
                return path, number
    return None
