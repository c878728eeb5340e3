"""Good error handling the rubric credits: typed rescues, API-key preflight, degraded UI."""

from __future__ import annotations

from typing import ClassVar

from rubygrade.checks.base import EvidenceCollector
from rubygrade.context import Context
from rubygrade.models import Dimension


class ErrorHandlingEvidence(EvidenceCollector):
    dimension = Dimension.ERRORS
    detects: ClassVar[dict[str, str]] = {
        "typed_rescue": "a handler that guards an LLM call and names RubyLLM or transport "
                        "errors (analysis.guards, by exception hierarchy)",
        "degraded_ui": "a guarding handler that renders, flashes, broadcasts or returns a "
                       "message the user sees",
        "api_key_preflight": "code that checks the API key is set before the model is called "
                             "and tells the user (analysis.preflight)",
    }

    def collect(self, ctx: Context) -> None:
        typed: set[tuple[str, int]] = set()
        degraded: set[tuple[str, int]] = set()
        for result in ctx.analyses.guards.results:
            for handler in result.handlers:
                where = (handler.path, handler.line)
                if handler.typed and where not in typed:
                    typed.add(where)
                    ctx.evidence("typed_rescue", Dimension.ERRORS,
                                 f"LLM call guarded by a typed {handler.kind} "
                                 f"({', '.join(handler.exceptions)}).", *where)
                if handler.degraded and where not in degraded:
                    degraded.add(where)
                    ctx.evidence("degraded_ui", Dimension.ERRORS,
                                 "The handler of an LLM failure shows the user a message.",
                                 *where)
        found = ctx.analyses.preflight
        if found is not None:
            ctx.evidence("api_key_preflight", Dimension.ERRORS,
                         f"API-key preflight: {found[2][:80]}", found[0], found[1])
