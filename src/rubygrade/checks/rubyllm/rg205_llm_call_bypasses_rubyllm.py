"""RG205: the app talks to an LLM without ruby_llm."""

from __future__ import annotations

from rubygrade import treeutil
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import CallSite
from rubygrade.models import Confidence, Dimension, Severity


class LlmCallBypassesRubyllm(Rule):
    """The app calls an LLM through another client or raw HTTP instead of ruby_llm.

    ## What it does
    Finds calls on clients of other LLM libraries (`OpenAI::Client`, the
    `openrouter` gem) and HTTP POSTs (Net::HTTP, Faraday, HTTParty) in files
    that name an LLM endpoint (openrouter.ai, api.openai.com, Ollama on
    port 11434, ...). Test files are skipped. A client whose gem is not in
    `Gemfile.lock` (and that no app class defines) is reported at info level:
    the constant is undefined, so the code is dead rather than a bypass. A
    client used only for Whisper transcription (`client.audio...`) is not
    reported when the locked ruby_llm has no `RubyLLM.transcribe`.

    ## Why is this bad?
    The brief asks for ruby_llm. A hand-rolled client re-implements retries,
    streaming, error classes and message history, usually without any of them.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(history)
        client = OpenAI::Client.new(access_token: ENV["OPENROUTER_API_KEY"])
        client.chat(parameters: { model: "gpt-4o", messages: history })
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        RubyLLM.chat(model: "anthropic/claude-sonnet-4", provider: :openrouter).ask(text)
      end
    end
    ```
    """

    id = "RG205"
    name = "llm-call-bypasses-rubyllm"
    dimension = Dimension.RUBYLLM
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        reported: set[str] = set()
        for item in ctx.analyses.llm_calls:
            if item.kind != "bypass" or not ctx.project.is_app_code(item.call.path):
                continue
            reported.add(item.call.path)
            owner = item.receiver_type.owner if item.receiver_type is not None else ""
            if _not_bundled(ctx, owner):
                _report_unbundled(ctx, item.call, owner, item.api)
                continue
            ctx.report_node(
                item.call.path, item.call.node,
                f"LLM request through {item.api} instead of ruby_llm "
                f"(checked against ruby_llm {ctx.catalogue_version or 'none locked'}).",
                fix="Send the request with RubyLLM.chat(...).ask(...) "
                    "(provider: :openrouter for OpenRouter).",
                data={"api": item.api})
        # A client built but never seen sending (e.g. passed around): report its construction.
        clients = ctx.analyses.values.roles.external_clients
        for call in ctx.index.calls_named("new"):
            const = (call.receiver_constant or "").removeprefix("::")
            if const in clients and call.path not in reported and \
                    ctx.project.is_app_code(call.path):
                if _only_audio_ruby_llm_lacks(ctx, call):
                    continue
                reported.add(call.path)
                if _not_bundled(ctx, const):
                    _report_unbundled(ctx, call, const, const)
                    continue
                ctx.report_node(
                    call.path, call.node,
                    f"{const} (the {clients[const]} gem) is used to reach the LLM "
                    "instead of ruby_llm.",
                    fix="Replace the client with RubyLLM.chat(...).", data={"api": const})


def _only_audio_ruby_llm_lacks(ctx: Context, built: CallSite) -> bool:
    """The client is assigned to a local whose only use is ``client.audio...`` (Whisper
    transcription), and the locked ruby_llm has no ``RubyLLM.transcribe``: ruby_llm could
    not have done it, so this is not a bypass."""
    catalogue = ctx.catalogue
    transcribe = ctx.analyses.values.roles.transcription
    if catalogue is None or catalogue.find_method("RubyLLM", transcribe, singleton=True):
        return False
    parent = built.node.parent
    if parent is None or parent.type != "assignment":
        return False
    name = treeutil.text(parent.child_by_field_name("left"))
    uses = [c for c in ctx.index.calls if c.enclosing_method is built.enclosing_method and
            c.path == built.path and c.receiver is not None and
            treeutil.text(c.receiver) == name]
    return bool(uses) and all(c.method == "audio" for c in uses)


def _not_bundled(ctx: Context, client: str) -> bool:
    """``Anthropic::Client`` in an app whose lockfile has no gem of that name (and no app
    class defines it): the constant does not exist at run time."""
    lock = ctx.project.lockfile
    if lock is None or not client or ctx.index.class_defs(client):
        return False
    root = client.split("::")[0].lower()
    return not any(root in name.replace("-", "").replace("_", "") for name in lock.gems)


def _report_unbundled(ctx: Context, call: CallSite, client: str, api: str) -> None:
    ctx.report_node(
        call.path, call.node,
        f"LLM request through {client}, whose gem is not in Gemfile.lock: the constant is "
        "undefined, so this code raises NameError if it ever runs (reported, not scored).",
        fix="Delete the dead client code, or send the request with RubyLLM.chat.",
        severity=Severity.INFO, confidence=Confidence.LOW,
        data={"api": api, "shape": "not_bundled"})
