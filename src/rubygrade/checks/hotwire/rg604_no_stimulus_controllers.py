"""RG604: no Stimulus controllers of the app's own."""

from __future__ import annotations

from rubygrade.analysis.views import GENERATOR_NOISE, hotwire_anchor
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoStimulusControllers(Rule):
    """The app has no Stimulus controller besides the generator's `hello_controller.js`.

    ## What it does
    Counts `app/javascript/controllers/*_controller.js` files other than
    `hello_controller.js`. None: one finding.

    ## Why is this bad?
    The brief asked for Stimulus for the chat's behaviour: auto-scroll, the
    composer (Enter to send, disable while waiting), form reset. Without a
    controller that behaviour is missing or lives in inline scripts.

    ## Example
    ```text app/javascript/controllers/composer_controller.js absent
    (no Stimulus controller but the generator's)
    ```
    ```javascript app/javascript/controllers/hello_controller.js
    import { Controller } from "@hotwired/stimulus"

    export default class extends Controller {
      connect() { this.element.textContent = "Hello World!" }
    }
    ```

    Use instead:
    ```javascript app/javascript/controllers/composer_controller.js
    import { Controller } from "@hotwired/stimulus"

    export default class extends Controller {
      submit() { this.element.requestSubmit(); this.element.reset() }
    }
    ```
    """

    id = "RG604"
    name = "no-stimulus-controllers"
    dimension = Dimension.HOTWIRE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        own = [c for i, c in ctx.analyses.stimulus.controllers.items()
               if c.path is not None and i not in GENERATOR_NOISE]
        if own:
            return
        index = ctx.project.app_path("app/javascript/controllers/index.js")
        anchor = index if index in ctx.project.files else hotwire_anchor(ctx.project)
        ctx.report(anchor, 1, "The app has no Stimulus controller of its own.",
                   fix="Add controllers for the composer and auto-scroll.")
