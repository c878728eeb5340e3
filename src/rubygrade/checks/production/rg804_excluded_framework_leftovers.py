"""RG804: leftovers of Rails frameworks the brief excluded (Active Record, Mailer, Job)."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

_LABEL = {"active_record": "Active Record", "action_mailer": "Action Mailer",
          "active_job": "Active Job"}
#: framework -> (files whose presence is a leftover, config line patterns)
_SIGNS: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = {
    "active_record": (("config/database.yml", "app/models/application_record.rb", "db/schema.rb"),
                      re.compile(r"^\s*(?:require\s+['\"]active_record/railtie['\"]|"
                                 r"config\.active_record\.)")),
    "action_mailer": (("app/mailers/application_mailer.rb",),
                      re.compile(r"^\s*(?:require\s+['\"]action_mailer/railtie['\"]|"
                                 r"config\.action_mailer\.)")),
    "active_job": (("app/jobs/application_job.rb",),
                   re.compile(r"^\s*(?:require\s+['\"]active_job/railtie['\"]|"
                              r"config\.active_job\.)")),
}
_RAILS_ALL = re.compile(r"^\s*require\s+['\"]rails/all['\"]")


class ExcludedFrameworkLeftovers(Rule):
    """Active Record, Action Mailer or Active Job still wired in, though the brief excluded them.

    ## What it does
    Reads the brief's `excluded_frameworks` and reports, once per file and
    framework: `require "rails/all"`, the framework's railtie `require`,
    `config.active_record.*` / `config.action_mailer.*` / `config.active_job.*`
    settings, and the generated files (`config/database.yml`,
    `application_record.rb`, `application_mailer.rb`, `application_job.rb`).

    ## Why is this bad?
    The task asked for an app without them. Leftovers boot code that is never
    used, need a database in production, and show the generator was not
    configured (`rails new --skip-active-record ...`).

    ## Example
    ```ruby config/application.rb
    require_relative "boot"
    require "rails/all"

    module Chat
      class Application < Rails::Application
      end
    end
    ```

    Use instead:
    ```ruby config/application.rb
    require_relative "boot"
    require "rails"
    require "action_controller/railtie"
    require "action_view/railtie"

    module Chat
      class Application < Rails::Application
      end
    end
    ```
    """

    id = "RG804"
    name = "excluded-framework-leftovers"
    dimension = Dimension.PRODUCTION
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        excluded = [f for f in ctx.brief.excluded_frameworks if f in _SIGNS]
        if not excluded:
            return
        places: dict[str, list[tuple[str, int, str]]] = {f: [] for f in excluded}
        app = ctx.project.get("config/application.rb")
        if app is not None:
            for number, line in enumerate(app.lines, start=1):
                if _RAILS_ALL.match(line):
                    for framework in excluded:
                        places[framework].append((app.path, number, 'require "rails/all"'))
        for framework in excluded:
            files, pattern = _SIGNS[framework]
            for source in sorted(ctx.project.app_files("ruby", under="config/"),
                                 key=lambda s: s.path):
                for number, line in enumerate(source.lines, start=1):
                    if pattern.match(line):
                        places[framework].append((source.path, number, line.strip()[:50]))
                        break
            places[framework] += [(ctx.project.app_path(rel), 1, rel) for rel in files
                                  if ctx.project.exists(rel)]
        # One finding per place; frameworks whose first sign is the same line share it.
        by_place: dict[tuple[str, int], list[str]] = {}
        for framework in excluded:
            if places[framework]:
                first = places[framework][0]
                by_place.setdefault(first[:2], []).append(framework)
        for (path, lineno), frameworks in sorted(by_place.items()):
            names = ", ".join(_LABEL[f] for f in frameworks)
            others = sorted({p[2] for f in frameworks for p in places[f][1:]})
            more = f"; also {', '.join(others[:4])}" + (" ..." if len(others) > 4 else "") \
                if others else ""
            ctx.report(path, lineno,
                       f"Leftovers of {names}, which the brief excludes{more}.",
                       fix="Remove them (rails new --skip-active-record --skip-action-mailer "
                           "--skip-active-job) and require only the railties the app uses.")
