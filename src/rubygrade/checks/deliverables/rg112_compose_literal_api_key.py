"""RG112: the compose file hard-codes the API key."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Confidence, Dimension, Severity

# ``KEY: value`` or ``- KEY=value`` with a key that names a credential.
_ENTRY = lazy_compile(r"^\s*-?\s*[\"']?(?P<key>[A-Z0-9_]*(?:API_KEY|ACCESS_TOKEN)[A-Z0-9_]*)[\"']?"
                      r"\s*(?P<sep>[:=])\s*(?P<value>.*?)\s*$")


def _literal(value: str) -> bool:
    value = value.split(" #", 1)[0].strip().strip("\"'")
    return bool(value) and "$" not in value and value not in ("~", "null")


class ComposeLiteralApiKey(Rule):
    """The compose file gives the app a literal API key instead of reading the environment.

    ## What it does
    Reads the compose file's `environment:` entries (map or list form) whose name
    contains `API_KEY` or `ACCESS_TOKEN` and reports a literal value (anything
    but `${VAR}` interpolation or an empty pass-through). When no service passes
    the brief's API key variable at all (neither `environment` nor `env_file`),
    that is reported at medium confidence.

    ## Why is this bad?
    A key in the compose file is committed with it; a placeholder literal
    silently overrides the real key from the environment, so the container
    starts and every chat fails.

    ## Example
    ```yaml compose.yaml
    services:
      web:
        build: .
        environment:
          OPENROUTER_API_KEY: sk-or-v1-0123456789
    ```

    Use instead:
    ```yaml compose.yaml
    services:
      web:
        build: .
        environment:
          OPENROUTER_API_KEY: ${OPENROUTER_API_KEY}
    ```
    """

    id = "RG112"
    name = "compose-literal-api-key"
    dimension = Dimension.DELIVERABLES
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        path = ctx.analyses.deliverables.compose
        if path is None:
            return
        source = ctx.project.files[path]
        env = ctx.brief.api_key_env
        for number, line in enumerate(source.lines, start=1):
            if line.lstrip().startswith("#"):
                continue
            match = _ENTRY.match(line)
            if match is None or match.group("sep") == ":" and line.lstrip().startswith("-"):
                continue
            if _literal(match.group("value")):
                ctx.report(path, number, f"The compose file sets {match.group('key')} to a "
                           "literal value.",
                           fix=f"Pass it from the environment: {match.group('key')}: "
                               f"${{{match.group('key')}}}.", data={"shape": "literal"})
        if env not in source.text and "env_file" not in source.text:
            ctx.report(path, 1, f"No service of the compose file passes {env}.",
                       fix=f"Add {env}: ${{{env}}} to the app service's environment.",
                       confidence=Confidence.MEDIUM, data={"shape": "not_passed"})
