"""RG106: a gem the brief requires is not in the Gemfile."""

from __future__ import annotations

import json

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class RequiredGemMissing(Rule):
    """A gem the brief requires (turbo-rails, stimulus-rails, tailwind, brakeman, ...) is missing.

    ## What it does
    For each entry of the brief's `required_gems`, looks for any of its gem names
    in the Gemfile (the lockfile's direct dependencies when there is no
    Gemfile). An entry with `npm_any_of` is also satisfied by a JavaScript
    bundling gem plus one of those packages in `package.json` (tailwind through
    `cssbundling-rails`). One finding per missing requirement.

    ## Why is this bad?
    Each of these gems is part of the stack or the quality tooling the task
    asked for; without it the feature (Tailwind, Turbo) or the check (Brakeman,
    bundler-audit, SimpleCov) simply is not there.

    ## Example
    ```ruby Gemfile
    source "https://rubygems.org"
    gem "rails", "~> 8.1"
    gem "ruby_llm", "~> 1.14"
    ```

    Use instead:
    ```ruby Gemfile
    source "https://rubygems.org"
    gem "rails", "~> 8.1"
    gem "ruby_llm", "~> 1.14"
    gem "turbo-rails"
    gem "stimulus-rails"
    gem "tailwindcss-rails"
    group :development, :test do
      gem "brakeman"
      gem "bundler-audit"
      gem "rubocop-rails-omakase"
      gem "simplecov"
    end
    ```
    """

    id = "RG106"
    name = "required-gem-missing"
    dimension = Dimension.DELIVERABLES
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        declared = ctx.analyses.deliverables.declared_gems
        if not declared:
            return  # no Gemfile at all: nothing to compare (not a Rails app)
        packages = _npm_packages(ctx)
        anchor = ctx.project.app_path("Gemfile" if ctx.project.gemfile else "Gemfile.lock")
        for required in ctx.brief.required_gems:
            if any(name in declared for name in required.any_of if name != "cssbundling-rails"):
                continue
            if required.npm_any_of and "cssbundling-rails" in required.any_of and \
                    "cssbundling-rails" in declared and packages & set(required.npm_any_of):
                continue
            if not required.npm_any_of and "cssbundling-rails" in declared and \
                    "cssbundling-rails" in required.any_of:
                continue
            names = " or ".join(n for n in required.any_of)
            ctx.report(anchor, 1, f"Required gem {required.name} is missing ({names}).",
                       fix=f"Add {required.any_of[0]} to the Gemfile and wire it up.",
                       data={"gem": required.name})


def _npm_packages(ctx: Context) -> set[str]:
    source = ctx.project.get("package.json")
    if source is None:
        return set()
    try:
        data = json.loads(source.text)
    except ValueError:
        return set()
    if not isinstance(data, dict):
        return set()
    out: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            out |= {str(k) for k in section}
    return out
