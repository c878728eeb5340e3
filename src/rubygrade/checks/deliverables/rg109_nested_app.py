"""RG109: the Rails app lives in a sub-folder."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class AppInNestedFolder(Rule):
    """The Rails app was generated one folder down instead of at the repository root.

    ## What it does
    Reports when `config/application.rb` (or `Gemfile` beside `app/`) is found in
    a sub-folder such as `myapp/` rather than at the repository root.

    ## Why is this bad?
    Tools, CI and reviewers expect the app at the root. A nested app usually
    means the agent ran `rails new myapp` inside the repository and never moved
    it, so root-level Dockerfile, CI and README do not match the code.

    ## Example
    ```text app/ absent
    (the Rails app is in myapp/, not at the repository root)
    ```
    ```text config/ absent
    ```
    ```ruby myapp/config/application.rb
    require_relative "boot"
    require "rails"

    module Chat
      class Application < Rails::Application
      end
    end
    ```

    Use instead:
    ```ruby config/application.rb
    require_relative "boot"
    require "rails"

    module Chat
      class Application < Rails::Application
      end
    end
    ```
    """

    id = "RG109"
    name = "app-in-nested-folder"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        if "app_at_root" not in ctx.brief.required_artifacts or not ctx.project.nested:
            return
        anchor = ctx.project.app_path("config/application.rb")
        if anchor not in ctx.project.files:
            anchor = ctx.project.app_path("Gemfile")
        ctx.report(anchor, 1, f"The Rails app is in the sub-folder {ctx.project.app_dir}/, "
                   "not at the repository root.",
                   fix=f"Move the contents of {ctx.project.app_dir}/ to the repository root.")
