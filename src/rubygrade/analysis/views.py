"""Views and front-end files: partials, the file a whole-app Hotwire finding points at."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rubygrade.project import Project

#: Stimulus controllers that generators create (``hello``) and no app means to keep.
GENERATOR_NOISE = {"hello"}
_IMPORT = re.compile(r"""(?:import|pin)\s+(?:[\w{}\s,*]+from\s+)?["']([@\w./-]+)["']""")


def partials(project: Project) -> list[str]:
    return sorted(s.path for s in project.app_files(None, "app/views/")
                  if PurePosixPath(s.path).name.startswith("_"))


def hotwire_anchor(project: Project) -> str:
    """The file a whole-app Hotwire finding points at: a chat controller, else the routes."""
    controllers = sorted(s.path for s in project.app_files("ruby", "app/controllers/")
                         if not s.path.endswith("application_controller.rb"))
    chat = [p for p in controllers if "chat" in p or "message" in p or "conversation" in p]
    for candidate in (*chat, *controllers):
        return candidate
    routes = project.app_path("config/routes.rb")
    return routes if routes in project.files else project.app_path("Gemfile")


def imported_packages(project: Project) -> set[str]:
    """Bare package names the app's JavaScript imports or pins (their controllers are theirs)."""
    out: set[str] = set()
    sources = project.app_files("javascript") + \
        [s for s in (project.get("config/importmap.rb"),) if s is not None]
    for source in sources:
        for match in _IMPORT.finditer(source.text):
            name = match.group(1)
            if not name.startswith((".", "/", "controllers")):
                out.add(name.lstrip("@").split("/")[0].replace("_", "-"))
    return out
