"""RG202: a ``RubyLLM::`` constant (or a misspelt client namespace) that does not exist."""

from __future__ import annotations

from rubygrade.analysis.api_checks import catalogued_in
from rubygrade.analysis.constants import MISSPELT_NAMESPACES
from rubygrade.catalogue.store import versions_with_constant
from rubygrade.catalogue.suggest import nearest_constants
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class InventedRubyllmConstant(Rule):
    """A `RubyLLM::` constant is referenced that the locked ruby_llm version does not define.

    ## What it does
    Looks up every `RubyLLM::...` constant the app (and its tests) write in the
    catalogue of the locked version, and reports `Openrouter::Client` (the
    openrouter gem spells its namespace `OpenRouter`). Constants the app defines
    itself, companion gems (`ruby_llm-schema`, and the constants
    `api_signatures/ruby_llm/companions.toml` lists for a locked companion, such
    as `RubyLLM::Helpers`) and `defined?` guards are skipped.
    Constants in `rescue` lists are RG204's.

    ## Why is this bad?
    The line raises NameError when it runs. `RubyLLM::Client` is the classic
    invented shape: RubyLLM has no client object, the entry point is `RubyLLM.chat`.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def client
        RubyLLM::Client.new(api_key: ENV["OPENROUTER_API_KEY"])
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def chat
        RubyLLM.chat(model: "anthropic/claude-sonnet-4", provider: :openrouter)
      end
    end
    ```
    """

    id = "RG202"
    name = "invented-rubyllm-constant"
    dimension = Dimension.RUBYLLM
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        version, catalogue = ctx.catalogue_version, ctx.catalogue
        for ref in [r for r in ctx.analyses.missing_constants if r.context == "code"]:
            data = {"constant": ref.name, "catalogue": version or "",
                    "nearest": nearest_constants(catalogue, ref.name) if catalogue else ""}
            head, _, rest = ref.name.partition("::")
            if head in MISSPELT_NAMESPACES:
                right = f"{MISSPELT_NAMESPACES[head]}::{rest}"
                message = (f"`{ref.name}` does not exist: the openrouter gem spells it "
                           f"`{right}` (checked against ruby_llm {version}); the line raises "
                           "NameError.")
                fix = "Use ruby_llm with provider: :openrouter instead of a separate client."
                data["shape"] = "client_constant"
            else:
                _, exists = catalogued_in(versions_with_constant(ref.name))
                message = (f"`{ref.name}` does not exist in ruby_llm {version} ({exists}); "
                           "the line raises NameError.")
                if ref.name.endswith("Client"):
                    data["shape"] = "client_constant"
                    fix = "RubyLLM has no client object: use RubyLLM.chat(model: ...)."
                else:
                    fix = "Use a constant the locked ruby_llm version defines."
            ctx.report_node(ref.path, ref.node, message, fix=fix, data=data)
