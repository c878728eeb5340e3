"""Good architecture the rubric credits: service objects holding the LLM logic, partials."""

from __future__ import annotations

from rubygrade.checks.appcode import app_rel, is_test
from rubygrade.checks.base import Context, EvidenceCollector
from rubygrade.models import Dimension
from rubygrade.rubyllm.calls import llm_calls

_SERVICE_DIRS = ("app/services/", "app/models/", "lib/", "app/lib/", "app/llm/", "app/agents/")


class ArchitectureEvidence(EvidenceCollector):
    dimension = Dimension.ARCHITECTURE

    def collect(self, ctx: Context) -> None:
        owners: set[str] = set()
        for item in llm_calls(ctx):
            call = item.call
            rel = app_rel(ctx, call.path) or ""
            if is_test(ctx, call.path) or not rel.startswith(_SERVICE_DIRS):
                continue
            owner = call.enclosing_class or rel
            if owner not in owners:
                owners.add(owner)
                ctx.evidence("service_objects", Dimension.ARCHITECTURE,
                             f"LLM logic lives in {owner}, outside the controllers.",
                             call.path, call.line)
        partials = sorted(s.path for s in ctx.project.app_files("erb", under="app/views/")
                          if s.path.rsplit("/", 1)[-1].startswith("_"))
        if partials:
            ctx.evidence("partials", Dimension.ARCHITECTURE,
                         f"{len(partials)} view partial(s), e.g. {partials[0]}.", partials[0], 1)
