"""Good error handling the rubric credits: typed rescues, API-key preflight, degraded UI."""

from __future__ import annotations

from rubygrade.checks.base import Context, EvidenceCollector
from rubygrade.checks.errors.guards import guard_analysis
from rubygrade.checks.errors.preflight import find_preflight
from rubygrade.models import Dimension


class ErrorHandlingEvidence(EvidenceCollector):
    dimension = Dimension.ERRORS

    def collect(self, ctx: Context) -> None:
        typed: set[tuple[str, int]] = set()
        degraded: set[tuple[str, int]] = set()
        for result in guard_analysis(ctx).results:
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
        found = find_preflight(ctx)
        if found is not None:
            ctx.evidence("api_key_preflight", Dimension.ERRORS,
                         f"API-key preflight: {found[2][:80]}", found[0], found[1])
