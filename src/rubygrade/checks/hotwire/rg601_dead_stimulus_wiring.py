"""RG601: Stimulus wiring that points nowhere, or a controller nothing uses."""

from __future__ import annotations

import re

from rubygrade.analysis.stimulus import StimulusWiring
from rubygrade.analysis.views import GENERATOR_NOISE, imported_packages
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class DeadStimulusWiring(Rule):
    """A template names a Stimulus controller, action or target that does not exist, or a
    controller is never used.

    ## What it does
    Parses each `app/javascript/controllers/*_controller.js` (identifier from the
    file name, `static targets`, methods) and each template's `data-controller`,
    `data-action="event->id#method"` and `data-id-target` attributes, also in Ruby
    `data: { controller: ..., action: ... }` hashes. Reports a use whose
    controller, method or target does not exist, and a controller that no
    template or helper uses (`hello_controller.js` from the generator is noise).
    A namespaced controller (`raif--chat`) of a package the app imports or pins
    belongs to that package and is not checked.

    ## Why is this bad?
    Stimulus fails silently: a misspelt action or a missing method means the
    button does nothing and no error reaches the page. A controller nothing uses
    is dead code the reviewer still has to read.

    ## Example
    ```erb app/views/chats/show.html.erb
    <form data-controller="composer" data-action="submit->composer#sendMessage">
      <textarea name="content" data-composer-target="input"></textarea>
    </form>
    ```

    Use instead:
    ```erb app/views/chats/show.html.erb
    <form data-controller="composer" data-action="turbo:submit-end->composer#reset">
      <textarea name="content" data-composer-target="input"></textarea>
    </form>
    ```
    """

    id = "RG601"
    name = "dead-stimulus-wiring"
    dimension = Dimension.HOTWIRE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        wiring = ctx.analyses.stimulus
        if not wiring.controllers and not wiring.uses:
            return
        reported: set[tuple[str, int, str]] = set()
        packages = imported_packages(ctx.project)
        gems = set(ctx.project.lockfile.gems) if ctx.project.lockfile else set()
        for use in wiring.uses:
            folder = (ctx.project.app_relative(use.path) or "").split("/")
            if len(folder) > 3 and folder[:2] == ["app", "views"] and folder[2] in gems:
                continue  # an override of an engine's view (madmin/...) uses the engine's JS
            controller = wiring.controllers.get(use.identifier)
            if controller is None and use.identifier.split("--")[0] in packages:
                continue  # ``raif--conversations`` comes with ``import "raif"``
            if controller is None:
                key = (use.path, use.line, use.identifier)
                if key not in reported and wiring.controllers:
                    reported.add(key)
                    ctx.report(use.path, use.line, f"The template uses the Stimulus controller "
                               f"`{use.identifier}`, which does not exist.",
                               fix=f"Create app/javascript/controllers/"
                                   f"{use.identifier.replace('-', '_')}_controller.js or fix "
                                   "the name.", data={"shape": "missing_controller"})
                continue
            if not controller.inspected or controller.extends_app_class:
                continue
            if use.kind == "action" and use.name not in controller.methods:
                ctx.report(use.path, use.line, f"The action `{use.identifier}#{use.name}` names "
                           f"a method {controller.path} does not define.",
                           fix=f"Define {use.name}() in the controller or fix the action.",
                           data={"shape": "missing_action"})
            elif use.kind == "target" and use.name not in controller.targets:
                ctx.report(use.path, use.line, f"The target `{use.name}` is not in the static "
                           f"targets of `{use.identifier}`.",
                           fix=f'Add "{use.name}" to static targets or fix the attribute.',
                           data={"shape": "missing_target"})
        self._unused(ctx, wiring)

    def _unused(self, ctx: Context, wiring: StimulusWiring) -> None:
        used = wiring.used_identifiers()
        texts = [s.text for s in ctx.project.app_files() if s.kind in ("erb", "ruby", "javascript")
                 or s.path.endswith((".html", ".haml", ".slim"))]
        for ident, controller in sorted(wiring.controllers.items()):
            if controller.path is None or ident in used or ident in GENERATOR_NOISE:
                continue
            if _used_dynamically(ident, texts, ctx.project.files[controller.path].text):
                continue
            ctx.report(controller.path, controller.line, f"No template uses the Stimulus "
                       f"controller `{ident}`.",
                       fix=f'Wire it with data-controller="{ident}" or delete it.',
                       data={"shape": "unused_controller"})


def _used_dynamically(ident: str, texts: list[str], own: str) -> bool:
    """A file other than the controller's own names it near ``controller`` (an
    interpolated ``data-controller``, ``dataset.controller = "x"``): not dead.

    The pattern holds the identifier as it is written, so a text without it cannot
    match: the substring test spares the regex nearly every file of the app."""
    pattern = re.compile(r"controller[^\n]{0,80}[\"' ]" + re.escape(ident) + r"[\"' ]")
    return any(ident in text and pattern.search(text) for text in texts if text is not own)
