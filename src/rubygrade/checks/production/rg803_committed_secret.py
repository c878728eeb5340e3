"""RG803: an API key (or config/master.key) committed to the repository."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Dimension, Severity

#: Provider key shapes, most specific first; a real key is long and high-entropy.
KEY_SHAPES = (
    ("OpenRouter", lazy_compile(r"(?<![\w-])sk-or-v1-[0-9a-fA-F]{40,}(?![\w-])")),
    ("Anthropic", lazy_compile(r"(?<![\w-])sk-ant-(?:api|admin)?\d*-?[A-Za-z0-9_-]{32,}(?![\w-])")),
    ("OpenAI", lazy_compile(r"(?<![\w-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,}(?![\w-])")),
    ("OpenAI", lazy_compile(r"(?<![\w-])sk-[A-Za-z0-9]{32,}(?![\w-])")),
)
_PLACEHOLDER = lazy_compile(r"x{3,}|your|here|replace|example|dummy|fake|test|placeholder|"
                            r"changeme|insert|redacted|sample|0{6,}|123456|abcdef|\.\.\.", re.I)
_MAX_BYTES = 500_000


def real_looking(token: str) -> bool:
    """Not an obvious placeholder: varied characters, no filler words or runs."""
    body = token.split("-")[-1] if token.count("-") < 4 else token[-40:]
    if _PLACEHOLDER.search(token) or re.search(r"(.)\1{5,}", token):
        return False
    return len(set(body)) >= 12


class CommittedSecret(Rule):
    """An API-key-shaped literal (or `config/master.key`) in a tracked file.

    ## What it does
    Scans every tracked text file (source, README, Dockerfile, compose files,
    `.env`, logs) for OpenRouter (`sk-or-v1-...`), Anthropic (`sk-ant-...`) and
    OpenAI (`sk-proj-...`, `sk-...`) keys, skipping obvious placeholders
    (`sk-or-v1-xxxx`, `your-key-here`, `<your key>`), and reports a tracked
    `config/master.key`. A committed `.env` file itself is RG110.

    ## Why is this bad?
    A pushed key is harvested within minutes and billed to the owner; rotating
    it is the only fix. The brief says: no secret in any file.

    ## Example
    A key in any tracked file, here a compose file:
    ```yaml
    services:
      web:
        environment:
          OPENROUTER_API_KEY: sk-or-v1-<64 hex characters of a real key>
    ```
    or the Rails master key:
    ```text config/master.key
    3f8e2a9c41d07b65e1f2a8c9d4b7e063
    ```

    Use instead:
    ```yaml
    services:
      web:
        environment:
          OPENROUTER_API_KEY: ${OPENROUTER_API_KEY}
    ```
    and no master key in the repository:
    ```text config/master.key absent
    (rotate it: the committed one is public)
    ```
    ```text .gitignore
    /config/master.key
    ```
    """

    id = "RG803"
    name = "committed-secret"
    dimension = Dimension.PRODUCTION
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        master = ctx.project.app_path("config/master.key")
        if master in ctx.project.files:
            ctx.report(master, 1, "config/master.key is committed: anyone can decrypt the "
                                  "credentials.",
                       fix="Remove it from git (git rm --cached), rotate the credentials, and "
                           "keep it in .gitignore.")
        for path, source in sorted(ctx.project.files.items()):
            if source.size > _MAX_BYTES or "sk-" not in source.text or source.binary:
                continue
            for number, line in enumerate(source.lines, start=1):
                if "sk-" not in line:
                    continue
                for provider, shape in KEY_SHAPES:
                    match = shape.search(line)
                    if match and real_looking(match.group(0)):
                        ctx.report(path, number, f"A {provider} API key is committed in {path}.",
                                   fix="Rotate the key now, remove it from the file and the git "
                                       "history, and read it from ENV.",
                                   column=match.start() + 1)
                        break
