"""Positive evidence of dimension 2 (entry point, ask, .content, multi-turn, system prompt),
and that the app calls an LLM at all (which four other dimensions require)."""

from __future__ import annotations

from typing import ClassVar

from rubygrade.analysis.usage import MESSAGE_WRITES
from rubygrade.checks.base import EvidenceCollector
from rubygrade.context import Context
from rubygrade.index.model import CallSite
from rubygrade.models import Dimension


class RubyllmEvidence(EvidenceCollector):
    dimension = Dimension.RUBYLLM
    detects: ClassVar[dict[str, str]] = {
        "llm_call": "any call that reaches an LLM from the app's runtime code: a send on a "
                    "value the value flow knows is a RubyLLM chat, agent or acts_as_chat "
                    "record, a call on another LLM client, an HTTP POST to an LLM endpoint",
        "rubyllm_entry_point": "`RubyLLM.chat`, `RubyLLM::Chat.new` or an acts_as_chat record "
                               "asked, in app code",
        "rubyllm_ask": "`ask`/`say`/`complete` on a RubyLLM value",
        "rubyllm_content": "`.content` read on a reply (RubyLLM::Message or a persisted "
                           "message record)",
        "rubyllm_multi_turn": "a conversation that outlives one question: a persisted chat "
                              "asked again, history replayed with `add_message`, the same chat "
                              "reused, or the stored messages pasted into the prompt",
        "rubyllm_with_instructions": "`with_instructions` (or an agent's `instructions`, or "
                                     "`messages.create!(role: \"system\", ...)` on an "
                                     "acts_as_chat record)",
        "bypass_client": "only without RubyLLM use: a client of another LLM library, or an "
                         "HTTP POST to an LLM endpoint, that sends (analysis.bypass)",
        "bypass_reply": "only without RubyLLM use: the reply's text read from the response",
        "bypass_multi_turn": "only without RubyLLM use: stored turns iterated into the "
                             "request's messages",
        "bypass_system_prompt": "only without RubyLLM use: a `role: \"system\"` message or a "
                                "`system:` parameter",
    }

    def collect(self, ctx: Context) -> None:
        u = ctx.analyses.usage
        # What error handling, persistence, tests and architecture judge: without an LLM
        # call those dimensions have nothing to judge (the rubric's ``requires``). A send on
        # a record the value flow could not type still counts: missing a call must not
        # empty four dimensions.
        calls = [(c.call, c.api) for c in ctx.analyses.llm_calls
                 if ctx.project.is_runtime(c.call.path)]
        typed = {(c.path, c.line, c.column) for c, _ in calls}
        calls += [(c, f"{c.method} on an acts_as_chat record") for c in u.sends
                  if ctx.project.is_runtime(c.path) and (c.path, c.line, c.column) not in typed]
        if calls:
            self._add(ctx, "llm_call", calls[0][0],
                      f"The app calls an LLM: {calls[0][1]} ({len(calls)} call site(s)).",
                      {"sites": str(len(calls))})
        version = ctx.catalogue_version or "unknown"
        for practice in ctx.analyses.bypass:
            self._add(ctx, practice.kind, practice.call,
                      f"Through another client, the app {practice.how}.", {})
        if u.entry_points or u.record_sends:
            # RubyLLM.chat / Chat.new first; else the Rails integration (acts_as_chat record)
            roles = ctx.analyses.values.roles
            builds = roles.entry_module_methods | {"new"}
            first = next((c for c in u.entry_points if c.method in builds),
                         (u.entry_points or u.record_sends)[0])
            data = {"version": version, "sites": str(len(u.entry_points))}
            if u.openrouter:
                data["provider"] = "openrouter"
            if u.models:
                data["models"] = ", ".join(u.models)
            how = f"`{_text(first)}`" if u.entry_points else \
                f"`{_text(first)}` on an acts_as_chat record"
            self._add(ctx, "rubyllm_entry_point", first, f"Real RubyLLM entry point {how}.",
                      data)
        if u.sends:
            asks = ctx.analyses.values.roles.ask_sends
            first = next((c for c in u.sends if c.method in asks), u.sends[0])
            self._add(ctx, "rubyllm_ask", first,
                      f"Sends messages with `{first.method}` ({len(u.sends)} call site(s)).",
                      {"sites": str(len(u.sends))})
        if u.contents:
            self._add(ctx, "rubyllm_content", u.contents[0],
                      "Reads the reply with `.content`.", {"sites": str(len(u.contents))})
        if u.multi_turn:
            call, how = u.multi_turn[0]
            self._add(ctx, "rubyllm_multi_turn", call, f"Multi-turn: {how}.", {"how": how})
        if u.instructions:
            first = u.instructions[0]
            how = ("stored as a system-role message the chat record replays"
                   if first.method in MESSAGE_WRITES else "set with `with_instructions`")
            self._add(ctx, "rubyllm_with_instructions", first, f"System prompt {how}.", {})

    def _add(self, ctx: Context, kind: str, call: CallSite, message: str,
             data: dict[str, str]) -> None:
        ctx.evidence(kind, Dimension.RUBYLLM, message, call.path, call.line, data)


def _text(call: CallSite) -> str:
    receiver = call.receiver_text
    return f"{receiver}.{call.method}" if receiver else call.method
