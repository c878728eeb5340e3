"""RG104: README missing or the stock Rails text."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Dimension, Severity

STOCK_MARKERS = (
    "This README would normally document whatever steps are necessary",
    "Things you may want to cover:",
)
_HEADING = lazy_compile(r"^(#{1,3} |[^\n]+\n[=-]{3,})", re.MULTILINE)
# Signals that a README explains set-up and running: commands people type.
_RUN_SIGNALS = lazy_compile(
    r"(bin/dev|bin/rails|rails s(erver)?|docker compose|docker-compose|bundle install|"
    r"bin/setup|foreman start)", re.IGNORECASE)
#: What ``_RUN_SIGNALS`` looks for, as plain words (``rails s(erver)?`` starts ``rails s``).
_RUN_WORDS = ("bin/dev", "bin/rails", "rails s", "docker compose", "docker-compose",
              "bundle install", "bin/setup", "foreman start")
#: The characters other than ASCII letters that match an ASCII letter case-insensitively
#: or that ``str.lower`` turns into ASCII: İ, ı, ſ and the Kelvin sign (every other one
#: of Unicode was tried).
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def _has_run_signal(text: str) -> bool:
    """``_RUN_SIGNALS`` matches ``text``. Unless the text holds one of ``_FOLDS_TO_ASCII``
    (almost never), the words in the lowered text answer the same, many times quicker
    than the case-insensitive scan, which has no literal to skip ahead to."""
    if _FOLDS_TO_ASCII.isdisjoint(text):
        lowered = text.lower()
        return any(word in lowered for word in _RUN_WORDS)
    return _RUN_SIGNALS.search(text) is not None


_SETUP_HEADING = lazy_compile(r"^#{1,4}\s*(set ?up|install|installation|getting started|"
                              r"quick ?start|running|usage|development|run)\b",
                            re.IGNORECASE | re.MULTILINE)
_LINK = lazy_compile(r"\]\(([\w./-]+\.md)\)")


def _linked_docs(ctx: Context, readme: str, text: str) -> list[str]:
    """Texts of the local Markdown files the README links to (``[INSTALL](INSTALL.md)``)."""
    folder = readme.rsplit("/", 1)[0] + "/" if "/" in readme else ""
    out = []
    for target in _LINK.findall(text)[:20]:
        source = ctx.project.files.get(folder + target.removeprefix("./"))
        if source is not None:
            out.append(source.text)
    return out


class ReadmeStockOrMissing(Rule):
    """The README is missing, is Rails' stock text, or does not say how to run the app.

    ## What it does
    Reads `README.md` (or `README`, `README.rdoc`). Reports it when absent, when
    it still holds the generator's "This README would normally document..."
    text, or when it is too thin to explain the app: fewer than 30 words, or no
    set-up/run signal. Signals: a command (`bin/dev`, `bin/rails server`,
    `docker compose up`, `bundle install`, `bin/setup`) in the README or in a
    local Markdown file it links to (`INSTALL.md`), or a set-up/run heading
    (`## Setup`, `## Getting started`, `## Usage`) with a code block.

    ## Why is this bad?
    A reader must learn what the app does and how to start it. The stock text
    says neither, and the brief lists the README as a deliverable.

    ## Example
    ```markdown README.md
    # README
    This README would normally document whatever steps are necessary to get the
    application up and running.
    ```

    Use instead:
    ```markdown README.md
    # Chat
    A ChatGPT-style chat on Rails 8, Hotwire and RubyLLM, talking to Claude
    through OpenRouter. Messages are kept in the session and stream in as
    Turbo Streams.
    ## Setup
    bundle install; export OPENROUTER_API_KEY=...
    ## Run
    bin/dev  (or docker compose up), then open http://localhost:3000
    ```
    """

    id = "RG104"
    name = "readme-stock-or-missing"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        if "readme" not in ctx.brief.required_artifacts:
            return
        path = next((p for name in ("README.md", "README", "README.rdoc", "README.markdown")
                     for p in (ctx.project.app_path(name), name) if p in ctx.project.files), None)
        if path is None:
            ctx.report("Gemfile" if "Gemfile" in ctx.project.files else
                       ctx.project.app_path("Gemfile"), 1, "No README in the repository.",
                       fix="Write a README: what the app does, set-up, how to run it and test it.")
            return
        text = ctx.project.files[path].text
        for marker in STOCK_MARKERS:
            if marker in text:
                line = text[: text.index(marker)].count("\n") + 1
                ctx.report(path, line, "The README is the stock Rails text.",
                           fix="Replace it with what the app does, set-up and how to run it.")
                return
        words = len(re.findall(r"\w+", text))
        runnable = bool(_has_run_signal(text) or
                        (_SETUP_HEADING.search(text) and "```" in text) or
                        any(_has_run_signal(t) for t in _linked_docs(ctx, path, text)))
        if words < 30:
            # A generator's one-line stub explains as little as the stock text.
            ctx.report(path, 1, f"The README is a stub ({words} words): it explains neither "
                       "the app nor how to run it.",
                       fix="Write what the app does, set-up and how to run it.")
        elif not runnable:
            ctx.report(path, 1, f"The README gives no set-up or run command ({words} words).",
                       fix="Add set-up steps and the command that starts the app.",
                       data={"shape": "thin"})
