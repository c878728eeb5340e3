"""RG110: a .env or key file is committed."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Confidence, Dimension, Severity

_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".tpl", ".defaults",
                      ".sample.local", ".example.local")
_KEY_FILES = re.compile(r"(^|/)(config/master\.key|config/credentials/[\w.-]+\.key|"
                        r"id_rsa|id_ed25519|[\w.-]+\.pem)$")
_ASSIGNMENT = lazy_compile(r"^\s*(?:export\s+)?[A-Za-z_]\w*\s*=\s*\S", re.MULTILINE)


class SecretFileCommitted(Rule):
    """A `.env` file (not `.env.example`) or a key file is part of the repository.

    ## What it does
    Reports files named `.env` or `.env.<anything>` except the template forms
    (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`), plus
    `config/master.key`, `config/credentials/*.key` (test/development keys at low
    confidence) and private key files. When the
    repository is a git work tree only tracked or unignored files count. A `.env`
    without any assignment is reported at low confidence.

    ## Why is this bad?
    A committed `.env` leaks whatever keys it holds to everyone with the
    repository, and teaches the next developer to commit theirs.

    ## Example
    ```text .env
    OPENROUTER_API_KEY=sk-or-v1-...
    ```

    Use instead:
    ```text .env absent
    (delete it and rotate the key)
    ```
    ```text .env.example
    OPENROUTER_API_KEY=
    ```
    ```text .gitignore
    /.env
    ```
    """

    id = "RG110"
    name = "secret-file-committed"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        for path, source in sorted(ctx.project.files.items()):
            name = _name(path)
            if name == ".env" or (name.startswith(".env.") and
                                  not name.endswith(_TEMPLATE_SUFFIXES)):
                empty = not _ASSIGNMENT.search(source.text)
                ctx.report(path, 1, f"The environment file {path} is committed.",
                           fix="Delete it from the repository, rotate its keys, add it to "
                               ".gitignore and commit a .env.example instead.",
                           confidence=Confidence.LOW if empty else None)
            elif _KEY_FILES.search(path):
                # test/development credential keys guard throwaway secrets: reported, not scored
                minor = path.endswith(("credentials/test.key", "credentials/development.key"))
                ctx.report(path, 1, f"The key file {path} is committed.",
                           fix="Remove it from the repository, rotate it and ignore it.",
                           confidence=Confidence.LOW if minor else None)


def _name(path: str) -> str:
    """``PurePosixPath(path).name`` without building a path object per file: the last
    part of a plain relative path, else the path object's answer."""
    if "/." in path or path.endswith("/") or path.startswith("/") or path in ("", "."):
        return PurePosixPath(path).name  # "." parts and odd forms: what pathlib makes of them
    return path.rsplit("/", 1)[-1]
