"""The files a delivered app must ship: Dockerfile, compose file, the gems it declares."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rubygrade.project import Project

_INSTRUCTIONS = ("FROM", "RUN", "COPY", "CMD", "ENTRYPOINT", "WORKDIR")
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def is_placeholder(text: str) -> bool:
    """No ``FROM`` line, or no build instruction beside it."""
    lines = [ln.strip() for ln in text.splitlines()]
    words = {ln.split()[0].upper() for ln in lines if ln and not ln.startswith("#")}
    return "FROM" not in words or len(words & set(_INSTRUCTIONS)) < 2


class Deliverables:
    def __init__(self, project: Project) -> None:
        self.project = project

    @cached_property
    def dockerfile(self) -> str | None:
        """The repo-relative path of the app's Dockerfile, if any (app folder first, then root)."""
        project = self.project
        for candidate in (project.app_path("Dockerfile"), "Dockerfile"):
            if candidate in project.files:
                return candidate
        # Variants: Dockerfile.api, web.Dockerfile, docker/Dockerfile; one that installs Ruby first.
        folders = {"", project.app_path("") + "/" if project.app_dir else ""}
        folders |= {f + "docker/" for f in folders}
        variants: list[str] = []
        for path in sorted(project.files):
            folder, _, name = path.rpartition("/")
            folder = folder + "/" if folder else ""
            if folder in folders and (name.startswith("Dockerfile.") or
                                      name.endswith(".Dockerfile") or name == "Dockerfile"):
                variants.append(path)
        rubyish = [p for p in variants if "ruby" in project.files[p].text.lower()]
        chosen = rubyish or variants
        return chosen[0] if chosen else None

    @cached_property
    def compose(self) -> str | None:
        for name in COMPOSE_NAMES:
            for candidate in (self.project.app_path(name), name):
                if candidate in self.project.files:
                    return candidate
        return None

    @cached_property
    def declared_gems(self) -> dict[str, int]:
        """Gem name -> Gemfile line. The lockfile's direct dependencies (line 1) add the gems
        of an ``eval_gemfile``/``gemspec`` the Gemfile parser does not follow."""
        out: dict[str, int] = {}
        if self.project.gemfile is not None:
            for gem in self.project.gemfile.gems:
                out.setdefault(gem.name, gem.line)
        if self.project.lockfile is not None:
            for name in sorted(self.project.lockfile.dependencies):
                out.setdefault(name, 1)
        return out
