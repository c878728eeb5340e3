"""RG103: no docker compose file."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity


class ComposeFileMissing(Rule):
    """The repository has no docker compose file under any of its four names.

    ## What it does
    Looks for `compose.yaml`, `compose.yml`, `docker-compose.yml` or
    `docker-compose.yaml` in the app folder or at the repository root. A compose
    file with no `build:` (only databases and other ready-made images) is
    reported at low confidence: it exists but does not start the app.

    ## Why is this bad?
    The brief asks for a compose file so the app starts with one command and
    receives its API key from the environment.

    ## Example
    ```text compose.yaml absent
    (no compose file in the repository)
    ```

    Use instead:
    ```yaml compose.yaml
    services:
      web:
        build: .
        ports: ["3000:3000"]
        environment:
          OPENROUTER_API_KEY: ${OPENROUTER_API_KEY}
    ```
    """

    id = "RG103"
    name = "compose-file-missing"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        if "compose" not in ctx.brief.required_artifacts:
            return
        path = ctx.analyses.deliverables.compose
        if path is not None:
            if not re.search(r"^\s*build\s*:", ctx.project.files[path].text, re.MULTILINE):
                ctx.report(path, 1, "The compose file has no service that builds the app "
                           "(only ready-made images).", confidence=Confidence.LOW,
                           fix="Add a web service with build: . that runs the app.",
                           data={"shape": "no_app_service"})
            return
        anchor = ctx.project.app_path("Gemfile") if ctx.project.exists("Gemfile") else "Gemfile"
        ctx.report(anchor, 1, "No docker compose file (compose.yaml, docker-compose.yml, ...).",
                   fix="Add compose.yaml with a service that builds the app and passes "
                       f"{ctx.brief.api_key_env} from the environment.")
