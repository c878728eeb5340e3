"""RG107: routes, controllers or views missing or trivial."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

# A route line other than the generator's health check and PWA stubs.
_ROUTE = re.compile(r"^\s*(root|get|post|put|patch|delete|resources?|match|mount|scope|"
                    r"namespace|direct|resolve)\b", re.MULTILINE)
_GENERATED = re.compile(r"rails/health|pwa/|\"up\"|'up'|service-worker|manifest")


class AppSkeletonTrivial(Rule):
    """The app has no real routes, no controller of its own or no view templates.

    ## What it does
    Reads `config/routes.rb` for routes other than the generator's health check
    and PWA stubs, looks for a controller besides `ApplicationController` and for
    a template outside `app/views/layouts/` (ERB or another template language).
    One finding names everything that is missing.

    ## Why is this bad?
    Without a route, a controller and a view there is no chat page: the run
    stopped before the app existed, whatever else it produced.

    ## Example
    ```ruby config/routes.rb
    Rails.application.routes.draw do
      get "up" => "rails/health#show", as: :rails_health_check
    end
    ```

    Use instead:
    ```ruby config/routes.rb
    Rails.application.routes.draw do
      root "chats#show"
      resource :chat, only: %i[show create]
    end
    ```
    """

    id = "RG107"
    name = "app-skeleton-trivial"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        missing: list[str] = []
        routes = ctx.project.get("config/routes.rb")
        lines = [] if routes is None else [
            ln for ln in routes.lines if _ROUTE.match(ln) and not _GENERATED.search(ln)]
        if not lines:
            missing.append("routes")
        controllers = [s for s in ctx.project.app_files("ruby", "app/controllers/")
                       if not s.path.endswith(("application_controller.rb",))
                       and "/concerns/" not in s.path]
        if not controllers:
            missing.append("controllers")
        views = [s for s in ctx.project.app_files(None, "app/views/")
                 if "/layouts/" not in s.path and "/pwa/" not in s.path
                 and not s.path.endswith(".keep")]
        if not views:
            missing.append("views")
        if not missing:
            return
        anchor = routes.path if routes is not None else ctx.project.app_path("Gemfile")
        ctx.report(anchor, 1, f"The app has no {', no '.join(missing)} of its own.",
                   fix="Build the chat: a route, a controller action and its view.",
                   data={"missing": ",".join(missing)})
