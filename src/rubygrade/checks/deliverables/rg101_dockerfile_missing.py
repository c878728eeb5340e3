"""RG101: no usable Dockerfile."""

from __future__ import annotations

from rubygrade.checks.base import Context, Rule
from rubygrade.models import Dimension, Severity

_INSTRUCTIONS = ("FROM", "RUN", "COPY", "CMD", "ENTRYPOINT", "WORKDIR")


def dockerfile_path(ctx: Context) -> str | None:
    """The repo-relative path of the app's Dockerfile, if any (app folder first, then root)."""
    for candidate in (ctx.project.app_path("Dockerfile"), "Dockerfile"):
        if candidate in ctx.project.files:
            return candidate
    # Variants: Dockerfile.api, web.Dockerfile, docker/Dockerfile; one that installs Ruby first.
    folders = {"", ctx.project.app_path("") + "/" if ctx.project.app_dir else ""}
    folders |= {f + "docker/" for f in folders}
    variants: list[str] = []
    for path in sorted(ctx.project.files):
        folder, _, name = path.rpartition("/")
        folder = folder + "/" if folder else ""
        if folder in folders and (name.startswith("Dockerfile.") or name.endswith(".Dockerfile")
                                  or name == "Dockerfile"):
            variants.append(path)
    rubyish = [p for p in variants if "ruby" in ctx.project.files[p].text.lower()]
    chosen = rubyish or variants
    return chosen[0] if chosen else None


def is_placeholder(text: str) -> bool:
    """No ``FROM`` line, or no build instruction beside it."""
    lines = [ln.strip() for ln in text.splitlines()]
    words = {ln.split()[0].upper() for ln in lines if ln and not ln.startswith("#")}
    return "FROM" not in words or len(words & set(_INSTRUCTIONS)) < 2


class DockerfileMissing(Rule):
    """The repository has no Dockerfile, or only a placeholder.

    ## What it does
    Looks for `Dockerfile` in the app folder (or at the repository root; else a
    variant such as `Dockerfile.api` or `docker/Dockerfile`, one that installs
    Ruby first) and
    checks that it holds a `FROM` line and at least one build instruction.

    ## Why is this bad?
    The brief asks for a working container build. Without it the app cannot be
    deployed the way the task required, and a file that only says "TODO" is a
    placeholder, not a deliverable.

    ## Example
    ```dockerfile
    # TODO: add Dockerfile
    ```

    Use instead:
    ```dockerfile
    ARG RUBY_VERSION=3.4.7
    FROM docker.io/library/ruby:$RUBY_VERSION-slim
    WORKDIR /rails
    COPY . .
    RUN bundle install
    CMD ["./bin/rails", "server"]
    ```
    """

    id = "RG101"
    name = "dockerfile-missing"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        if "dockerfile" not in ctx.brief.required_artifacts:
            return
        path = dockerfile_path(ctx)
        if path is None:
            ctx.report(ctx.project.app_path("Gemfile") if ctx.project.exists("Gemfile")
                       else "Dockerfile", 1, "No Dockerfile in the repository.",
                       fix="Add a Dockerfile that installs the gems and starts the server.")
            return
        if is_placeholder(ctx.project.files[path].text):
            ctx.report(path, 1, "The Dockerfile is a placeholder: no FROM line and build steps.",
                       fix="Write a real multi-stage Dockerfile (FROM, RUN bundle install, CMD).")
