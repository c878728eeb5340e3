"""Good Hotwire practice: broadcasts (the rubric's bonus), stream responses, controllers."""

from __future__ import annotations

from typing import ClassVar

from rubygrade.analysis.views import GENERATOR_NOISE, partials
from rubygrade.checks.base import EvidenceCollector
from rubygrade.context import Context
from rubygrade.models import Dimension


class HotwireEvidence(EvidenceCollector):
    dimension = Dimension.HOTWIRE
    detects: ClassVar[dict[str, str]] = {
        "turbo_broadcast": "a Turbo broadcast of the messages that a page subscribes to "
                           "(`turbo_stream_from`) and whose target a template renders",
        "turbo_stream_response": "an action that responds with a Turbo Stream",
        "stimulus_controller": "a Stimulus controller of the app that a view uses",
        "view_partials": "views split into partials",
    }

    def collect(self, ctx: Context) -> None:
        use = ctx.analyses.turbo
        if use.live_broadcasts and not use.javascript_missing:
            path, line, what = use.live_broadcasts[0]
            sub = " with a turbo_stream_from subscription"
            ctx.evidence("turbo_broadcast", Dimension.HOTWIRE,
                         f"Broadcasts Turbo Streams ({what}){sub}.", path, line)
        if use.responses:
            path, line, what = use.responses[0]
            ctx.evidence("turbo_stream_response", Dimension.HOTWIRE,
                         f"Responds with Turbo Streams ({what}; {len(use.responses)} places).",
                         path, line)
        wiring = ctx.analyses.stimulus
        used = wiring.used_identifiers()
        for ident, controller in sorted(wiring.controllers.items()):
            if controller.path is not None and ident in used and ident not in GENERATOR_NOISE:
                ctx.evidence("stimulus_controller", Dimension.HOTWIRE,
                             f"Stimulus controller `{ident}` wired in a template.",
                             controller.path, controller.line)
        found = partials(ctx.project)
        if found:
            ctx.evidence("view_partials", Dimension.HOTWIRE,
                         f"{len(found)} view partials.", found[0], 1)
