"""Where the app uses Turbo Streams: responses, templates, broadcasts and subscriptions."""

from __future__ import annotations

import re
from dataclasses import field
from typing import TYPE_CHECKING

from rubygrade.dataclass_lite import dataclass

if TYPE_CHECKING:
    from rubygrade.index import Index
    from rubygrade.index.model import CallSite
    from rubygrade.project import Project

STREAM_ACTIONS = {"append", "prepend", "replace", "update", "remove", "before", "after",
                  "action", "refresh", "morph", "append_all", "prepend_all", "replace_all",
                  "update_all", "remove_all"}


@dataclass
class TurboUse:
    """The app's Turbo Stream responses, broadcasts and subscriptions."""

    responses: list[tuple[str, int, str]] = field(default_factory=list)  # path, line, what
    broadcasts: list[tuple[str, int, str]] = field(default_factory=list)
    subscriptions: list[tuple[str, int, str]] = field(default_factory=list)
    #: a layout that loads the app's JavaScript (importmap, jsbundling, vite...); None when
    #: the app has no layout at all (an API)
    javascript: tuple[str, int] | None = None
    layouts: list[str] = field(default_factory=list)

    @property
    def live_broadcasts(self) -> list[tuple[str, int, str]]:
        """Broadcasts some page subscribes to (``turbo_stream_from``): the others reach no one."""
        return self.broadcasts if self.subscriptions else []

    @property
    def javascript_missing(self) -> bool:
        """The app has layouts and none loads JavaScript: Turbo and Stimulus never run."""
        return bool(self.layouts) and self.javascript is None


#: A layout tag that loads the app's JavaScript bundle (and with it Turbo and Stimulus).
_JAVASCRIPT = re.compile(r"javascript_importmap_tags|javascript_include_tag|vite_javascript_tag|"
                         r"javascript_pack_tag|vite_client_tag|<script[^>]+src=|type=\"module\"")
_BROADCAST_ACTIONS = ("append", "prepend", "replace", "update", "remove", "before", "after",
                      "action", "refresh", "render", "replace_all", "update_all")
#: Turbo's broadcast methods: ``broadcast_<action>[_later][_to]`` and the model macros,
#: spelt out so that the calls are looked up by name.
_BROADCASTS = frozenset(
    [f"broadcast_{action}{later}{to}" for action in _BROADCAST_ACTIONS
     for later in ("", "_later") for to in ("", "_to")] +
    ["broadcasts_to", "broadcasts", "broadcasts_refreshes", "broadcasts_refreshes_to"])
#: Every method name collect_turbo looks at.
_TURBO_CALLS = tuple(sorted(STREAM_ACTIONS | _BROADCASTS |
                            {"turbo_stream", "render", "turbo_stream_from"}))


def _turbo_broadcast(call: CallSite) -> bool:
    """``broadcast_append_to``, ``broadcasts_to``, ``Turbo::StreamsChannel.broadcast_*``: not
    Action Cable's own ``broadcast``/``broadcast_to``, which send no Turbo Stream."""
    return call.method in _BROADCASTS


def _in_app(project: Project, path: str) -> bool:
    rel = project.app_relative(path)
    return rel is not None and rel.startswith(("app/", "lib/"))


def collect_turbo(project: Project, index: Index) -> TurboUse:
    use = TurboUse()
    in_app: dict[str, bool] = {}  # per file, not per call
    # Only calls of these names can count; every list is sorted below, so the order the
    # calls are met in does not matter.
    for call in index.calls_named(*_TURBO_CALLS):
        if call.path not in in_app:
            in_app[call.path] = _in_app(project, call.path)
        if not in_app[call.path]:
            continue
        where = (call.path, call.line)
        if call.method in STREAM_ACTIONS and call.receiver_text == "turbo_stream":
            use.responses.append((*where, f"turbo_stream.{call.method}"))
        elif call.method == "turbo_stream" and call.receiver is not None and \
                call.receiver.type == "identifier":
            use.responses.append((*where, f"{call.receiver_text}.turbo_stream"))
        elif call.method == "render" and call.keyword("turbo_stream") is not None:
            use.responses.append((*where, "render turbo_stream:"))
        elif _turbo_broadcast(call):
            use.broadcasts.append((*where, call.method))
        elif call.method == "turbo_stream_from":
            use.subscriptions.append((*where, "turbo_stream_from"))
    for source in project.app_files(None, "app/views/"):
        if ".turbo_stream." in source.path:
            use.responses.append((source.path, 1, "turbo_stream template"))
        if "turbo-cable-stream-source" in source.text:
            use.subscriptions.append((source.path, 1, "turbo-cable-stream-source"))
    for source in project.app_files(None, "app/views/layouts/"):
        use.layouts.append(source.path)
        match = _JAVASCRIPT.search(source.text)
        if match is not None and use.javascript is None:
            use.javascript = (source.path, source.text[: match.start()].count("\n") + 1)
    use.responses.sort()
    use.broadcasts.sort()
    use.subscriptions.sort()
    return use
