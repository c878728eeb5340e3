"""RG204: a rescued RubyLLM error class that does not exist in the locked version."""

from __future__ import annotations

from rubygrade.analysis.api_checks import catalogued_in
from rubygrade.catalogue.store import versions_with_constant
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class RescueOfMissingRubyllmError(Rule):
    """A `rescue` (or `rescue_from`) names a RubyLLM error class that does not exist.

    ## What it does
    Checks each `RubyLLM::` constant in a `rescue` list or a `rescue_from`
    against the catalogue of the locked ruby_llm version.

    ## Why is this bad?
    Ruby evaluates the rescue list only when an exception arrives, so the code
    runs fine until the LLM call fails, and then the rescue itself raises
    NameError: the error handling fails exactly when it is needed.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(chat, text)
        chat.ask(text)
      rescue RubyLLM::TimeoutError => e
        fallback(e)
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(chat, text)
        chat.ask(text)
      rescue RubyLLM::Error, Faraday::TimeoutError => e
        fallback(e)
      end
    end
    ```
    """

    id = "RG204"
    name = "rescue-of-missing-rubyllm-error"
    dimension = Dimension.RUBYLLM
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        version = ctx.catalogue_version
        for ref in [r for r in ctx.analyses.missing_constants if r.context == "rescue"]:
            _, exists = catalogued_in(versions_with_constant(ref.name))
            ctx.report_node(
                ref.path, ref.node,
                f"Rescue of `{ref.name}`, which does not exist in ruby_llm {version} ({exists}); "
                "when an error arrives the rescue raises NameError.",
                fix="Rescue RubyLLM::Error (HTTP errors) or a subclass the locked version "
                    "defines, e.g. RubyLLM::RateLimitError.",
                data={"constant": ref.name, "catalogue": version or ""})
