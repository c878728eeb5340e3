"""Call sites that talk to an LLM: through ruby_llm, or around it (bypass).

Shared by every dimension that asks "where does the app call the model?"
(error handling around LLM calls, tests that stub them, jobs that stream them).
A RubyLLM call counts only when the value flow knows its receiver is a RubyLLM
chat, agent or acts_as_chat record (or the ``RubyLLM`` module for ``embed``...),
whatever wrapper it came through (see :mod:`rubygrade.analysis.values`); a bypass
call is a call on a client of another LLM library or an HTTP POST in a file that
names an LLM endpoint. The send methods are data (``roles.toml``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rubygrade.analysis.values import RType, ValueFlow, scope_of_call
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.analysis import Facts

#: Hosts of LLM HTTP APIs; a raw HTTP POST in a file naming one is a bypass.
LLM_ENDPOINT = lazy_compile(
    r"openrouter\.ai|api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis\.com"
    r"|api\.mistral\.ai|api\.groq\.com|api\.deepseek\.com|api\.x\.ai|api\.together\.xyz"
    r"|(?:localhost|127\.0\.0\.1|ollama)(?::11434)|/v1/chat/completions|/api/chat\b|/api/generate\b"
)
#: A literal every match of LLM_ENDPOINT holds: a text with none of them names no endpoint,
#: and these plain substring tests are far cheaper than the pattern's search.
_ENDPOINT_HINTS = ("openrouter.ai", "api.", "googleapis.com", ":11434", "/v1/chat/completions",
                   "/api/")
_HTTP_LIBS = ("Net::HTTP", "Faraday", "HTTParty", "RestClient", "HTTP", "Excon", "Typhoeus")
_HTTP_POSTS = {"post", "post_form", "request", "run"}


@dataclass(frozen=True)
class LlmCall:
    """A call that talks to an LLM, through the gem or around it."""

    call: CallSite  # the call site that talks to the LLM
    kind: Literal["rubyllm", "bypass"]
    api: str  # e.g. "RubyLLM::Chat#ask", "RubyLLM.embed", "OpenAI::Client#chat", "Net::HTTP.post"
    receiver_type: RType | None = None
    #: a turn of a conversation (``ask``/``say``/``complete`` on a chat), not ``embed`` & co.
    chat_turn: bool = False

    @property
    def certain(self) -> bool:
        """The receiver's role is known without an unchecked step (see RType.certainty)."""
        return self.receiver_type is None or self.receiver_type.certain


def find_llm_calls(facts: Facts, types: ValueFlow) -> list[LlmCall]:
    """Every LLM-reaching call site, sorted by (path, line, column)."""
    found: list[LlmCall] = []
    for call in facts.index.calls_named(*sorted(types.roles.all_sends)):
        recv = types.receiver_type(call)
        if recv is None or not recv.is_rubyllm:
            continue
        api = types.sends_api(recv, call.method)
        if api is not None:
            found.append(LlmCall(call, "rubyllm", api, recv,
                                 chat_turn=call.method in types.roles.chat_sends))
    for call in facts.index.calls_named(*sorted(types.roles.external_client_sends)):
        if call.receiver is None:
            continue
        recv = types.type_of(call.receiver, scope_of_call(call))
        if recv is not None and recv.kind == "external":
            found.append(LlmCall(call, "bypass", f"{recv.owner}#{call.method}", recv))
    found += _http_bypass(facts)
    found.sort(key=lambda c: (c.call.path, c.call.line, c.call.column, c.api))
    return found


def _http_bypass(facts: Facts) -> list[LlmCall]:
    out: list[LlmCall] = []
    project = facts.project
    paths = {path for path, source in project.files.items()
             if source.kind == "ruby" and not project.is_test(path)  # a stubbed endpoint
             and _names_endpoint(source.text)}  # in a test is not a bypass
    if not paths:
        return out
    for call in facts.index.calls_named(*sorted(_HTTP_POSTS)):
        if call.path in paths:
            lib = _http_lib(call, project.files[call.path].text)
            if lib is not None:
                out.append(LlmCall(call, "bypass", f"{lib}.{call.method}"))
    return out


def _names_endpoint(text: str) -> bool:
    """``text`` names an LLM HTTP endpoint (LLM_ENDPOINT)."""
    return any(hint in text for hint in _ENDPOINT_HINTS) and \
        LLM_ENDPOINT.search(text) is not None


def _http_lib(call: CallSite, text: str) -> str | None:
    const = call.receiver_constant
    if const is not None:
        const = const.removeprefix("::")
        for lib in _HTTP_LIBS:
            if const == lib or const.startswith(lib + "::"):
                if call.method in ("post", "post_form", "run"):
                    return lib
        return None
    if call.receiver is None:
        # HTTParty's ``post "/v1/..."`` inside a class that includes HTTParty
        return "HTTParty" if call.method == "post" and "include HTTParty" in text else None
    if call.method == "request" and "Net::HTTP::Post" in text:
        return "Net::HTTP"
    if call.method == "post":  # ``conn.post`` / ``http.post`` on a connection object
        for lib in ("Faraday", "Net::HTTP", "HTTParty", "HTTP."):
            if lib in text:
                return lib.rstrip(".")
    return None
