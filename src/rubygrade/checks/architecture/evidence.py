"""Good architecture the rubric credits: service objects holding the LLM logic, partials."""

from __future__ import annotations

from typing import ClassVar

from rubygrade.checks.base import EvidenceCollector
from rubygrade.context import Context
from rubygrade.models import Dimension


class ArchitectureEvidence(EvidenceCollector):
    dimension = Dimension.ARCHITECTURE
    detects: ClassVar[dict[str, str]] = {
        "service_objects": "an LLM call inside a plain Ruby class (not a controller, model, job, "
                           "mailer, channel or tool), or an app subclass of RubyLLM::Agent the "
                           "app uses (analysis.services)",
        "partials": "a view partial (`app/views/**/_*.erb`)",
    }

    def collect(self, ctx: Context) -> None:
        for home in ctx.analyses.services:
            ctx.evidence("service_objects", Dimension.ARCHITECTURE,
                         f"LLM logic lives in {home.owner}, outside the controllers.",
                         home.call.path, home.call.line)
        partials = sorted(s.path for s in ctx.project.app_files("erb", under="app/views/")
                          if s.path.rsplit("/", 1)[-1].startswith("_"))
        if partials:
            ctx.evidence("partials", Dimension.ARCHITECTURE,
                         f"{len(partials)} view partial(s), e.g. {partials[0]}.", partials[0], 1)
