"""RG605: no view partials."""

from __future__ import annotations

from rubygrade.analysis.views import hotwire_anchor, partials
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoPartials(Rule):
    """The views have no partials: messages and the composer are not split out.

    ## What it does
    Looks for `app/views/**/_*` templates. None: one finding, on the largest
    template.

    ## Why is this bad?
    The brief asked for partials. A Turbo Stream appends a message by rendering
    its partial; without one the markup is duplicated between the page and the
    stream, or the stream cannot exist.

    ## Example
    ```erb app/views/chats/show.html.erb
    <div id="messages">
      <% @messages.each do |message| %>
        <div class="message"><%= message %></div>
      <% end %>
    </div>
    ```
    ```text app/views/chats/_message.html.erb absent
    (no partials)
    ```

    Use instead:
    ```erb app/views/chats/show.html.erb
    <div id="messages">
      <%= render partial: "chats/message", collection: @messages %>
    </div>
    ```
    ```erb app/views/chats/_message.html.erb
    <div class="message"><%= message %></div>
    ```
    """

    id = "RG605"
    name = "no-partials"
    dimension = Dimension.HOTWIRE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        if partials(ctx.project):
            return
        views = [s for s in ctx.project.app_files(None, "app/views/")
                 if "/layouts/" not in s.path and "/pwa/" not in s.path
                 and s.kind == "erb"]
        anchor = max(views, key=lambda s: (len(s.lines), s.path)).path if views else \
            hotwire_anchor(ctx.project)
        ctx.report(anchor, 1, "The views have no partials.",
                   fix="Extract the message and the composer into partials.")
