"""RG111: CI does not run the security and quality tools and the tests."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

TOOLS: dict[str, re.Pattern[str]] = {
    "brakeman": re.compile(r"\bbrakeman\b"),
    "rubocop": re.compile(r"\brubocop\b"),
    "bundler-audit": re.compile(r"bundler?[-_ ]audit|bundle exec audit"),
    "tests": re.compile(r"\brails\b[^\n]*\btest\b|\brake\b[^\n]*\b(test|spec)\b|\brspec\b|"
                        r"\bbin/rake\b\s*$", re.MULTILINE),
}


def ci_files(ctx: Context) -> list[str]:
    """Repo-relative paths of CI definitions: workflows, ``bin/ci``, ``config/ci.rb``."""
    out = []
    for path in sorted(ctx.project.files):
        rel = ctx.project.app_relative(path) or path
        if (rel.startswith(".github/workflows/") or path.startswith(".github/workflows/")) and \
                rel.endswith((".yml", ".yaml")):
            out.append(path)
        elif rel in ("bin/ci", "config/ci.rb", ".gitlab-ci.yml", ".circleci/config.yml"):
            out.append(path)
    return out


class CiToolsNotWired(Rule):
    """CI does not run Brakeman, RuboCop, bundler-audit and the tests.

    ## What it does
    Reads every CI definition (`.github/workflows/*.yml`, `bin/ci`,
    `config/ci.rb`, `.gitlab-ci.yml`) and reports the tools none of them runs. No
    CI definition at all is one finding.

    ## Why is this bad?
    Installing the gems is half the brief: scanners that never run in CI do not
    stop a vulnerable dependency or a failing test from being merged.

    ## Example
    ```yaml .github/workflows/ci.yml
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: bin/rails test
    ```

    Use instead:
    ```yaml .github/workflows/ci.yml
    jobs:
      ci:
        runs-on: ubuntu-latest
        steps:
          - run: bin/brakeman --no-pager
          - run: bin/bundler-audit
          - run: bin/rubocop
          - run: bin/rails test
    ```
    """

    id = "RG111"
    name = "ci-tools-not-wired"
    dimension = Dimension.DELIVERABLES
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        if "ci" not in ctx.brief.required_artifacts:
            return
        files = ci_files(ctx)
        if not files:
            ctx.report(ctx.project.app_path("Gemfile"), 1, "No CI definition (no "
                       ".github/workflows, bin/ci or config/ci.rb).",
                       fix="Add a workflow that runs brakeman, bundler-audit, rubocop and "
                           "the tests.", data={"missing": ",".join(TOOLS)})
            return
        text = "\n".join(ctx.project.files[p].text for p in files)
        missing = [tool for tool, pattern in TOOLS.items() if not pattern.search(text)]
        if missing:
            ctx.report(files[0], 1, f"CI does not run {', '.join(missing)}.",
                       fix=f"Add a step for each of {', '.join(missing)} to {files[0]}.",
                       data={"missing": ",".join(missing)})
