"""Good architecture the rubric credits: service objects holding the LLM logic, partials."""

from __future__ import annotations

from rubygrade.checks.base import EvidenceCollector
from rubygrade.context import Context
from rubygrade.models import Dimension

_SERVICE_DIRS = ("app/services/", "app/models/", "lib/", "app/lib/", "app/llm/", "app/agents/")


class ArchitectureEvidence(EvidenceCollector):
    dimension = Dimension.ARCHITECTURE

    def collect(self, ctx: Context) -> None:
        owners: set[str] = set()
        for item in ctx.analyses.llm_calls:
            call = item.call
            rel = ctx.project.app_relative(call.path) or ""
            if not ctx.project.is_app_code(call.path) or not rel.startswith(_SERVICE_DIRS):
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
