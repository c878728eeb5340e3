"""The RubyLLM practices of an app that reaches its model through another client.

The rubric prices a bypass (``ruby-openai``, an app's own HTTP client) at -5 "for
ignoring the required gem", not at the whole dimension: the auditor still credits
what the code does right through the other client. These are the same five
practices the RubyLLM awards name, read from the code that holds the bypass calls
(the class of each call, or its file, and the methods that call into it):

- a client of an LLM library, or an HTTP request to an LLM endpoint, that sends;
- a reply read from the response (``dig("choices", 0, "message", "content")``,
  ``["content"]``, ``.content``, ``output_text``);
- earlier turns sent again: stored messages iterated into the request's messages (a
  loop that builds role/content entries), or text the taint analysis traces to the
  stored conversation;
- a system prompt: a ``role: "system"`` message or a ``system:`` parameter.

Only for an app with no RubyLLM use at all (otherwise the RubyLLM awards apply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rubygrade import treeutil
from rubygrade.analysis.values import scope_of_call
from rubygrade.dataclass_lite import dataclass
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.analysis.llm_calls import LlmCall
    from rubygrade.analysis.taint import Taint
    from rubygrade.callgraph import CallGraph
    from rubygrade.index import Index
    from rubygrade.index.model import CallSite
    from rubygrade.project import Project

_REPLY = lazy_compile(r"""dig\([^)]*["':]content|\[\s*["':]content["']?\s*\]|\.content\b"""
                      r"""|output_text|\[\s*["']choices["']\s*\]|dig\(\s*["':]choices""")
_SYSTEM = lazy_compile(r"""role["']?\s*(?::|=>)\s*["':]?system\b|["']system["']\s*=>|"""
                       r"""\bsystem:\s*[^\s,)]""")
#: An iteration whose block builds role/content entries: history replayed into a request.
_REPLAY = lazy_compile(r"\.(?:each|map|flat_map|collect|each_with_object|filter_map)\b"
                       r"[^\n]*(?:\n[^\n]*){0,4}?\brole\b")


@dataclass(frozen=True)
class Practice:
    """A practice an LLM call around the gem shows (its own client, reply parsing, ...)."""

    kind: str  # "bypass_client", "bypass_reply", "bypass_multi_turn", "bypass_system_prompt"
    call: CallSite
    how: str


def bypass_practices(project: Project, index: Index, graph: CallGraph,
                     llm_calls: list[LlmCall], taint: Taint) -> list[Practice]:
    """The practices shown by the app's bypass calls (runtime code only), one per kind."""
    calls = [c for c in llm_calls if c.kind == "bypass" and project.is_runtime(c.call.path)]
    if not calls:
        return []
    found: dict[str, Practice] = {}
    first = calls[0]
    found["bypass_client"] = Practice("bypass_client", first.call,
                                      f"sends requests through {first.api}")
    for item in calls:
        call = item.call
        text = _holder_text(project, index, call) + _callers_text(graph, call)
        if "bypass_reply" not in found and _REPLY.search(text):
            found["bypass_reply"] = Practice("bypass_reply", call, "reads the reply's text")
        if "bypass_system_prompt" not in found and _SYSTEM.search(text):
            found["bypass_system_prompt"] = Practice("bypass_system_prompt", call,
                                                     "sends a system prompt")
        if "bypass_multi_turn" not in found and (
                _REPLAY.search(text) or _history_sent(call, taint)):
            found["bypass_multi_turn"] = Practice("bypass_multi_turn", call,
                                                  "sends the earlier turns again")
    return [found[k] for k in sorted(found)]


def _holder_text(project: Project, index: Index, call: CallSite) -> str:
    """The code of the class holding ``call`` (all its files), or of the call's file."""
    if call.enclosing_class:
        texts = [treeutil.text(c.node) for c in index.class_defs(call.enclosing_class)]
        if texts:
            return "\n".join(texts)
    source = project.files.get(call.path)
    return source.text if source is not None else ""


def _callers_text(graph: CallGraph, call: CallSite, levels: int = 2) -> str:
    """The methods that call into the bypass (two levels up): a controller often builds the
    messages (history, system prompt) it hands to the client."""
    owner = graph.owner_of(call)
    if owner is None:
        return ""
    seen = {owner.key}
    frontier = [owner.key]
    texts: list[str] = []
    for _ in range(levels):
        nxt: list[str] = []
        for key in frontier:
            for caller in sorted(graph.graph.predecessors(key)):
                method = graph.methods.get(caller)
                if caller in seen or method is None:
                    continue
                seen.add(caller)
                nxt.append(caller)
                texts.append(treeutil.text(method.node))
        frontier = nxt
    return "\n" + "\n".join(texts)


def _history_sent(call: CallSite, taint: Taint) -> bool:
    scope = scope_of_call(call)
    return any("history" in taint.origins(arg.value, scope) for arg in call.args)
