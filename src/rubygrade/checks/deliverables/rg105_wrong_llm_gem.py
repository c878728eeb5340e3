"""RG105: the app depends on another LLM gem instead of the one the brief asked for."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity


class WrongLlmGem(Rule):
    """The Gemfile declares `ruby-openai` or `rubyllm` instead of `ruby_llm`.

    ## What it does
    Looks up each gem of the brief's `wrong_llm_gems` in the Gemfile (or, without
    a Gemfile, in the lockfile's direct dependencies). Reported with high
    confidence when the brief's gem is absent; when both are declared the
    leftover is reported at low confidence (its use is RG205's business).

    ## Why is this bad?
    The task required RubyLLM. `ruby-openai` is another client with another API,
    and `rubyllm` (no underscore) is not the RubyLLM gem at all.

    ## Example
    ```ruby Gemfile
    source "https://rubygems.org"
    gem "rails", "~> 8.1"
    gem "ruby-openai"
    ```

    Use instead:
    ```ruby Gemfile
    source "https://rubygems.org"
    gem "rails", "~> 8.1"
    gem "ruby_llm", "~> 1.14"
    ```
    """

    id = "RG105"
    name = "wrong-llm-gem"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        declared = ctx.analyses.deliverables.declared_gems
        has_right = ctx.brief.llm_gem in declared
        for wrong in ctx.brief.wrong_llm_gems:
            if wrong not in declared:
                continue
            line = declared[wrong]
            path = ctx.project.app_path("Gemfile" if ctx.project.gemfile else "Gemfile.lock")
            if has_right:
                ctx.report(path, line, f"The Gemfile declares {wrong} beside "
                           f"{ctx.brief.llm_gem}.", fix=f"Remove {wrong}; use {ctx.brief.llm_gem}.",
                           confidence=Confidence.LOW)
            else:
                ctx.report(path, line, f"The app depends on {wrong} instead of "
                           f"{ctx.brief.llm_gem}.",
                           fix=f"Replace {wrong} with {ctx.brief.llm_gem} and its API.")

