"""RG102: the Dockerfile's Ruby version cannot build the app."""

from __future__ import annotations

import re

from rubygrade.analysis.deliverables import is_placeholder
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity

_ARG = re.compile(r"^\s*ARG\s+(\w+)(?:=(\S*))?", re.IGNORECASE)
_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", re.IGNORECASE)
_VAR = re.compile(r"\$\{?(\w+)(?::?[-+][^}]*)?\}?")
_NUMERIC = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?")


def _ruby_tag(image: str, args: dict[str, str]) -> str | None:
    """The tag of a ``ruby`` image (``ruby:3.4.7-slim`` -> ``3.4.7``), variables expanded."""
    name, _, tag = image.partition(":")
    if name.rsplit("/", 1)[-1] != "ruby":
        return None
    tag = _VAR.sub(lambda m: args.get(m.group(1), "$" + m.group(1)), tag or "latest")
    return tag.split("-", 1)[0] if re.match(r"^\d", tag) else tag


def _app_ruby_version(ctx: Context) -> tuple[str, str] | None:
    """The Ruby version the app pins, and where: Gemfile ``ruby``, .ruby-version, mise.toml."""
    gemfile = ctx.project.gemfile
    if gemfile is not None and gemfile.ruby_version and _NUMERIC.match(gemfile.ruby_version):
        return gemfile.ruby_version, "Gemfile"
    for name in (".ruby-version", ".tool-versions", "mise.toml", ".mise.toml"):
        source = ctx.project.get(name)
        if source is None:
            continue
        match = re.search(r"(?:^|ruby[\s=\"'-]+)(\d+\.\d+(?:\.\d+)?)", source.text, re.MULTILINE)
        if match:
            return match.group(1), name
    return None


class DockerfileRubyVersionBroken(Rule):
    """The Dockerfile builds on a Ruby version that does not exist or cannot run the app.

    ## What it does
    Reads the Dockerfile's `ARG RUBY_VERSION=X` and `FROM ruby:X` lines (variables
    expanded). A 2.x or 5.x Ruby, a non-numeric tag (`latest`, a placeholder) or
    an `ARG` with no default is reported. A version whose major.minor differs from
    the one the Gemfile's `ruby` line pins breaks `bundle install` and is reported
    too; a mismatch with `.ruby-version`/`mise.toml` only is reported at low
    confidence. 3.4.x and 4.0.x are fine; a placeholder Dockerfile is RG101's.

    ## Why is this bad?
    The image either does not exist, floats to whatever `latest` is, or refuses
    the Gemfile's Ruby requirement: the container build the brief asked for fails.

    ## Example
    ```dockerfile Dockerfile
    FROM ruby:latest
    WORKDIR /rails
    COPY . .
    RUN bundle install
    CMD ["./bin/rails", "server"]
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

    id = "RG102"
    name = "dockerfile-ruby-version-broken"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        path = ctx.analyses.deliverables.dockerfile
        if path is None or is_placeholder(ctx.project.files[path].text):
            return  # RG101 reports the placeholder
        args: dict[str, str] = {}
        for number, line in enumerate(ctx.project.files[path].lines, start=1):
            if (arg := _ARG.match(line)) is not None:
                args.setdefault(arg.group(1), (arg.group(2) or "").strip("\"'"))
                continue
            match = _FROM.match(line)
            tag = _ruby_tag(match.group(1), args) if match else None
            if tag is None:
                continue
            self._judge(ctx, path, number, tag)
            return  # the first ruby stage decides; later stages reuse it

    def _judge(self, ctx: Context, path: str, line: int, tag: str) -> None:
        version = _NUMERIC.match(tag)
        if version is None:
            unresolved = "$" in tag
            ctx.report(path, line, f"The Dockerfile's Ruby image tag `{tag}` is not a version"
                       + (" (the ARG has no default)." if unresolved else "."),
                       fix="Pin the Ruby the app uses: ARG RUBY_VERSION=3.4.7, "
                           "FROM ruby:$RUBY_VERSION-slim.",
                       confidence=Confidence.MEDIUM if unresolved else None,
                       data={"shape": "non_numeric", "version": tag})
            return
        major = int(version.group(1))
        if major not in (3, 4):
            ctx.report(path, line, f"The Dockerfile builds on Ruby {tag}, a {major}.x Ruby "
                       "that cannot run this app.",
                       fix="Use the Ruby the app pins (3.4.x or 4.0.x).",
                       data={"shape": "bad_major", "version": tag})
            return
        pinned = _app_ruby_version(ctx)
        if pinned is None:
            return
        want = _NUMERIC.match(pinned[0])
        if want is None or want.group(1, 2) == version.group(1, 2):
            return
        from_gemfile = pinned[1] == "Gemfile"
        ctx.report(path, line, f"The Dockerfile builds on Ruby {tag} but {pinned[1]} pins "
                   f"{pinned[0]}.", fix=f"Set the Dockerfile's Ruby to {pinned[0]}.",
                   confidence=Confidence.MEDIUM if from_gemfile else Confidence.LOW,
                   data={"shape": "mismatch", "version": tag})
