"""RG201: a method that the receiver's RubyLLM type does not have in the locked version."""

from __future__ import annotations

from rubygrade.analysis.api_checks import SHAPE_WORDS, catalogued_in
from rubygrade.catalogue.store import versions_with_method
from rubygrade.catalogue.suggest import nearest_methods
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity


class InventedRubyllmMethod(Rule):
    """A method is called on a RubyLLM object that does not have it in the locked version.

    ## What it does
    Infers which values are RubyLLM objects (`RubyLLM.chat`, `ask`'s reply,
    `chat.messages`, the `configure` block's config, ...) and looks every method
    called on them up in the catalogue of the ruby_llm version in Gemfile.lock.
    Values of unknown type are never checked, and a method a locked companion
    gem adds (`chat.with_resource` of ruby_llm-mcp, listed in
    `api_signatures/ruby_llm/companions.toml`) is part of the API.

    ## Why is this bad?
    The call raises NoMethodError the first time it runs. AI-written code often
    borrows names from other LLM libraries (`chat.user "hi"`, `response.text`,
    `response.choices`) that RubyLLM never had.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(question)
        chat = RubyLLM.chat
        chat.system "You are helpful"
        chat.ask(question).text
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(question)
        chat = RubyLLM.chat.with_instructions("You are helpful")
        chat.ask(question).content
      end
    end
    ```
    """

    id = "RG201"
    name = "invented-rubyllm-method"
    dimension = Dimension.RUBYLLM
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        version, catalogue = ctx.catalogue_version, ctx.catalogue
        if version is None or catalogue is None:
            return
        lock = ctx.project.lockfile
        source = lock.sources.get("ruby_llm", "GEM") if lock is not None else "GEM"
        forked = source in ("GIT", "PATH")
        for item in ctx.analyses.api_checks.unknown:
            owner = item.receiver.owner
            sep = "." if item.singleton else "#"
            shown = owner if item.receiver.kind != "subclass" else \
                f"{item.receiver.app_class} (a {owner})"
            where, exists = catalogued_in(versions_with_method(owner, item.name, item.singleton))
            if item.private:
                what = f"`{shown}{sep}{item.name}` is private in ruby_llm {version}"
            else:
                what = f"`{shown}{sep}{item.name}` does not exist in ruby_llm {version}"
            shape = f" This is {SHAPE_WORDS[item.shape]}." if item.shape else ""
            fix = _fix(item.shape, where)
            data = {"method": item.name, "receiver": owner, "catalogue": version,
                    "nearest": nearest_methods(catalogue, owner, item.name, item.singleton)}
            if item.shape:
                data["shape"] = item.shape
            if forked:
                # A git or path source can add methods its version's release lacks.
                ctx.report_node(item.call.path, item.call.node,
                                f"{what} ({exists}), but the app locks ruby_llm from a "
                                f"{source.lower()} source that may add it; "
                                f"check the fork.{shape}",
                                fix=fix, data=data, confidence=Confidence.LOW)
                continue
            ctx.report_node(item.call.path, item.call.node,
                            f"{what} ({exists}); the call raises NoMethodError.{shape}",
                            fix=fix, data=data)


def _fix(shape: str | None, where: str) -> str:
    if shape == "fluent_dsl":
        return "Send the user turn with chat.ask(text); set the system prompt with " \
               "chat.with_instructions(text)."
    if shape in ("response_text", "openai_choices"):
        return "Read the reply with response.content."
    if where:
        return f"Upgrade ruby_llm to a version that has it ({where}) or use the API of " \
               "the locked version."
    return "Use a method the locked ruby_llm version provides (see its README)."
