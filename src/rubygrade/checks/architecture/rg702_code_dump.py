"""RG702: hundreds of lines of inline script or style in a view, or one giant JS/CSS file."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

MAX_INLINE_LINES = 100
MAX_ASSET_LINES = 500
_OPEN = re.compile(r"<(script|style)\b[^>]{0,2000}>", re.I)
_ASSET_DIRS = ("app/javascript/", "app/assets/stylesheets/", "app/assets/javascripts/")
_GENERATED = ("/builds/", "/vendor/", ".min.", "/tailwind.css", "application.tailwind.css")


class CodeDump(Rule):
    """A view with hundreds of lines of inline `<script>`/`<style>`, or one giant JS/CSS file.

    ## What it does
    Reports an inline `<script>` or `<style>` block of more than 100 lines in a
    template, and a hand-written JavaScript or stylesheet file of more than 500
    lines under `app/javascript` or `app/assets` (built and vendored files are
    skipped).

    ## Why is this bad?
    The brief asks for partials and Stimulus controllers; one dump of inline
    code cannot be tested, cached or reused and hides the UI logic.

    ## Example
    ```erb app/views/chats/show.html.erb
    <div id="messages"></div>
    <script>
      document.querySelector("#messages").scrollTop = 0
      ⋮ ×120
    </script>
    ```

    Use instead:
    ```erb app/views/chats/show.html.erb
    <div id="messages" data-controller="scroll" data-action="turbo:submit-end->scroll#bottom"></div>
    ```
    """

    id = "RG702"
    name = "code-dump"
    dimension = Dimension.ARCHITECTURE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        for path, source in sorted(ctx.project.files.items()):
            rel = ctx.project.app_relative(path) or ""
            mailer = "/layouts/mailer" in rel or "_mailer/" in rel  # e-mail needs inline CSS
            if source.kind == "erb" and rel.startswith("app/views/") and not mailer:
                text = source.text
                lower = text.lower()
                for match in _OPEN.finditer(text):
                    tag = match.group(1).lower()
                    close = lower.find(f"</{tag}", match.end())
                    if close < 0:
                        continue
                    lines = text.count("\n", match.end(), close)
                    if lines > MAX_INLINE_LINES:
                        line = text.count("\n", 0, match.start()) + 1
                        ctx.report(path, line,
                                   f"Inline <{tag}> of {lines} lines in a view "
                                   f"(limit {MAX_INLINE_LINES}).",
                                   fix="Move scripts to Stimulus controllers and styles to "
                                       "Tailwind classes or a stylesheet.")
            elif rel.startswith(_ASSET_DIRS) and path.endswith((".js", ".css", ".ts")) and \
                    not any(g in "/" + rel for g in _GENERATED):
                count = len(source.lines)
                if count > MAX_ASSET_LINES:
                    ctx.report(path, 1, f"{rel} has {count} lines in one file "
                                        f"(limit {MAX_ASSET_LINES}).",
                               fix="Split it into small Stimulus controllers or components.")
