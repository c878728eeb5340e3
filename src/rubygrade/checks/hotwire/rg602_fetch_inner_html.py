"""RG602: a fetch() response written into the page by hand instead of by Turbo."""

from __future__ import annotations

from rubygrade.analysis.jsflow import Sink
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class FetchInnerHtml(Rule):
    """A `fetch()` response is written into the page by hand (`innerHTML`, or DOM calls) instead of Turbo.

    ## What it does
    Follows the value of each `fetch()` call (and axios or jQuery request) in the
    app's JavaScript (and inline `<script>` blocks of templates) through local
    variables, `.then` callbacks and `this.method(...)` calls of the same Stimulus
    controller, and reports where it reaches `innerHTML`, `outerHTML` or
    `insertAdjacentHTML`. When the app sends no message through Turbo Streams (no
    stream response, no broadcast a page subscribes to), a response written as
    text or built elements (`textContent`, `appendChild`, `append`...) is the same
    hand-rolled chat and is reported too. Two words in one file are not enough:
    the value must flow.

    ## Why is this bad?
    The brief asked for Turbo Streams. Hand-rolled fetch-and-inject duplicates
    what Turbo does, skips its escaping, and is an XSS hole when the response
    holds model output.

    ## Example
    ```javascript app/javascript/controllers/chat_controller.js
    import { Controller } from "@hotwired/stimulus"

    export default class extends Controller {
      static targets = ["list"]

      async send(event) {
        const response = await fetch("/chat", { method: "POST", body: new FormData(event.target) })
        const data = await response.json()
        this.listTarget.innerHTML += `<div>${data.reply}</div>`
      }
    }
    ```

    Use instead:
    ```text app/javascript/controllers/chat_controller.js absent
    (no hand-written request: the form posts and the response is a turbo_stream)
    ```
    ```erb app/views/chats/_composer.html.erb
    <%= form_with url: chat_path do |f| %>
      <%= f.text_area :content %>
    <% end %>
    ```
    """

    id = "RG602"
    name = "fetch-inner-html"
    dimension = Dimension.HOTWIRE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        turbo = ctx.analyses.turbo
        by_hand_only = not (turbo.responses or turbo.live_broadcasts)
        scripts = ctx.analyses.scripts
        for source in sorted(ctx.project.app_files(), key=lambda s: s.path):
            sinks: list[Sink] = []
            if (source.kind == "javascript" and source.root is not None
                    and "fetch" in source.text) or \
                    (source.kind == "erb" and "<script" in source.text and "fetch" in source.text):
                for index in range(len(scripts.roots(source))):
                    sinks += scripts.fetch_sinks(source, index)
            for sink in sinks:
                if not sink.html and not by_hand_only:
                    continue  # a text update beside Turbo-driven messages: a UI detail
                ctx.report(source.path, sink.line, f"The fetch() response (line "
                           f"{sink.fetch_line}) is written into the page through {sink.what}.",
                           column=sink.column,
                           fix="Respond with a turbo_stream and let Turbo update the page.")
