"""RG101: no usable Dockerfile."""

from __future__ import annotations

from rubygrade.analysis.deliverables import is_placeholder
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


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
    ```text Dockerfile absent
    (no Dockerfile in the repository)
    ```

    Use instead:
    ```dockerfile Dockerfile
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
        path = ctx.analyses.deliverables.dockerfile
        if path is None:
            ctx.report(ctx.project.app_path("Gemfile") if ctx.project.exists("Gemfile")
                       else "Dockerfile", 1, "No Dockerfile in the repository.",
                       fix="Add a Dockerfile that installs the gems and starts the server.")
            return
        if is_placeholder(ctx.project.files[path].text):
            ctx.report(path, 1, "The Dockerfile is a placeholder: no FROM line and build steps.",
                       fix="Write a real multi-stage Dockerfile (FROM, RUN bundle install, CMD).")
