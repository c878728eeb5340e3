"""RG203: the arguments of a RubyLLM call do not bind to the method's signature."""

from __future__ import annotations

from rubygrade.analysis.api_checks import SHAPE_WORDS
from rubygrade.catalogue.suggest import signature
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class RubyllmArgumentsDoNotBind(Rule):
    """A RubyLLM call passes arguments the method's signature does not accept.

    ## What it does
    Binds the arguments of every call on a known RubyLLM value to the signature
    the catalogue records for the locked version, with Ruby 3 rules: too many or
    too few positional arguments, an unknown or missing keyword, a block given
    to a method that takes none. A brace-less hash given to a method without
    keyword parameters is one positional Hash (`add_message(role: :user, ...)`
    is valid); a `*splat` or `**opts` at the call site makes the counts unknown.

    ## Why is this bad?
    A binding error raises ArgumentError on every call; an ignored block
    silently drops the configuration it was meant to apply.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(history)
        RubyLLM.chat(model: "gpt-4o", messages: history)
      end

      def switch
        RubyLLM::Chat.new.with_model { |c| c.model = "gpt-4o" }
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(history, text)
        chat = RubyLLM.chat(model: "gpt-4o")
        history.each { |m| chat.add_message(role: m[:role], content: m[:content]) }
        chat.ask(text)
      end

      def switch
        RubyLLM.chat.with_model("gpt-4o")
      end
    end
    ```
    """

    id = "RG203"
    name = "rubyllm-arguments-do-not-bind"
    dimension = Dimension.RUBYLLM
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        version = ctx.catalogue_version
        for item in ctx.analyses.api_checks.binding:
            sep = "." if item.receiver.kind == "module" else "#"
            target = f"{item.receiver.owner}{sep}{item.sig.name}"
            details = "; ".join(p.message for p in item.problems)
            raises = any(p.severity == "error" for p in item.problems)
            outcome = "the call raises ArgumentError" if raises else "Ruby ignores the block"
            shape = f" This is {SHAPE_WORDS[item.shape]}." if item.shape else ""
            params = ", ".join(_param(p.kind, p.name) for p in item.sig.params) or "no parameters"
            data = {"method": item.sig.name, "receiver": item.receiver.owner,
                    "catalogue": version or "", "signature": signature(item.sig)}
            if item.shape:
                data["shape"] = item.shape
            ctx.report_node(
                item.call.path, item.call.node,
                f"`{target}` in ruby_llm {version} is ({params}): {details}; {outcome}.{shape}",
                fix=_fix(item.shape, target, params),
                severity=None if raises else Severity.WARNING, data=data)


def _param(kind: str, name: str) -> str:
    return {"req": name, "opt": f"{name} = …", "rest": f"*{name.lstrip('*')}",
            "keyreq": f"{name}:", "key": f"{name}: …", "keyrest": f"**{name.lstrip('*')}",
            "block": f"&{name.lstrip('&')}", "nokey": "**nil"}.get(kind, name)


def _fix(shape: str | None, target: str, params: str) -> str:
    if shape == "batch_call":
        return "Create the chat with RubyLLM.chat(model: ...), replay history with " \
               "add_message, then call ask."
    if shape == "block_form":
        return "Pass the value as an argument (chat.with_model(\"model-id\")); the method " \
               "takes no block."
    return f"Call {target} with arguments matching ({params})."
