"""Production settings that make an app wrong as soon as it runs more than one process (RG805).

Each is reported at its line, and only when the app uses what it configures:

- ``cable_async``: ``config/cable.yml``'s production adapter is ``async`` (directly or
  through a ``<<: *default`` merge) while the app broadcasts (``broadcast_*``,
  ``broadcasts_to``, ``ActionCable.server.broadcast``) or streams
  (``turbo_stream_from``, ``stream_from``): a broadcast reaches only the browsers
  connected to the process that made it;
- ``job_async``: ``config.active_job.queue_adapter = :async`` in the production
  environment (or in ``config/application.rb`` when production sets no adapter) while
  the app enqueues jobs (``perform_later``, ``deliver_later``): jobs run in threads of
  the web process and die with it;
- ``memory_cache``: ``config.cache_store = :memory_store`` in production while the app
  writes to ``Rails.cache`` (``write``, ``increment``, ``delete``...), throttles with
  ``rate_limit`` or keeps sessions in the cache: each process has its own copy.

A ``Rails.cache.fetch`` memo is a cache, right in every process; the conversation
history kept in the cache is RG504's finding, not repeated here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from rubygrade.analysis.history import production_cache_store
from rubygrade.dataclass_lite import dataclass
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.index import Index
    from rubygrade.project import Project

SettingKind = Literal["cable_async", "job_async", "memory_cache"]
_QUEUE_ADAPTER = re.compile(r"^\s*(?:Rails\.application\.)?config\.active_job\.queue_adapter\s*=\s*"
                            r":?(?P<adapter>\w+)")
_YAML_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[\w<]+)\s*:\s*(?P<value>.*?)\s*(?:#.*)?$")
_CACHE_WRITES = {"write", "write_multi", "increment", "decrement", "delete", "delete_matched",
                 "clear"}
_BROADCASTS = lazy_compile(r"^broadcast(?:s|s_to|_\w+)?$|^(?:stream_from|stream_for|"
                           r"turbo_stream_from)$")


@dataclass(frozen=True)
class Setting:
    """A production setting that breaks when the app runs in more than one process."""

    kind: SettingKind
    path: str
    line: int
    uses: str  # what in the app the setting breaks, for the message ("path:line")


def multi_process_settings(project: Project, index: Index) -> list[Setting]:
    """The production settings above, each with the first use in the app it breaks."""
    found: list[Setting] = []
    # Each setting first, then the app's use of it: the search of every call site runs
    # only for a setting that is there.
    cable = _cable_adapter(project)
    if cable is not None and cable[2] == "async":
        broadcast = _first_call(project, index, lambda name: bool(_BROADCASTS.match(name)))
        if broadcast is not None:
            found.append(Setting("cable_async", cable[0], cable[1], broadcast))
    job = _queue_adapter(project)
    if job is not None and job[2] == "async":
        enqueue = _first_call(project, index, lambda name: name in ("perform_later",
                                                                    "deliver_later"))
        if enqueue is not None:
            found.append(Setting("job_async", job[0], job[1], enqueue))
    store = production_cache_store(project)
    if store is not None and store[2] == "memory_store":
        use = _cache_use(project, index)
        if use is not None:
            found.append(Setting("memory_cache", store[0], store[1], use))
    return found


def _first_call(project: Project, index: Index, wanted: Callable[[str], bool]) -> str | None:
    best: tuple[str, int] | None = None
    verdicts: dict[str, bool] = {}  # ``wanted`` per method name, not per call site
    for call in index.calls:
        hit = verdicts.get(call.method)
        if hit is None:
            hit = verdicts[call.method] = wanted(call.method)
        if hit and project.is_app_code(call.path) and \
                (best is None or (call.path, call.line) < best):
            best = (call.path, call.line)
    return f"{best[0]}:{best[1]}" if best is not None else None


def _cache_use(project: Project, index: Index) -> str | None:
    for call in index.calls:
        if not project.is_app_code(call.path):
            continue
        if call.method in _CACHE_WRITES and call.receiver is not None and \
                call.receiver_text.replace(" ", "").removeprefix("::") == "Rails.cache":
            return f"{call.path}:{call.line}"
        if call.method == "rate_limit" and call.receiver is None and \
                call.enclosing_method is None:
            return f"{call.path}:{call.line}"
        if call.method == "session_store" and call.positional and \
                call.positional[0].node.type == "simple_symbol" and \
                call.positional[0].node.text == b":cache_store":
            return f"{call.path}:{call.line}"
    return None


def _queue_adapter(project: Project) -> tuple[str, int, str] | None:
    """(path, line, adapter) of the adapter production runs, or None when unset."""
    for rel in ("config/environments/production.rb", "config/application.rb"):
        source = project.get(rel)
        if source is None:
            continue
        for number, line in enumerate(source.lines, start=1):
            match = _QUEUE_ADAPTER.match(line)
            if match:
                return source.path, number, match["adapter"]
    return None


def _cable_adapter(project: Project) -> tuple[str, int, str] | None:
    """(path, line, adapter) of config/cable.yml's production adapter: its own
    ``adapter:`` line, or the merge line that brings in an anchor's."""
    source = project.get("config/cable.yml")
    if source is None:
        return None
    sections: dict[str, dict[str, tuple[int, str]]] = {}
    anchors: dict[str, str] = {}
    current: str | None = None
    for number, line in enumerate(source.lines, start=1):
        match = _YAML_KEY.match(line)
        if match is None or not line.strip() or line.lstrip().startswith("#"):
            continue
        key, value = match["key"], match["value"]
        if not match["indent"]:
            current = key
            sections[current] = {}
            anchor = re.match(r"&(\w+)", value)
            if anchor:
                anchors[anchor.group(1)] = key
            continue
        if current is not None and len(match["indent"]) <= 4:
            sections[current].setdefault(key, (number, value))
    production = sections.get("production")
    if production is None:
        return None
    if "adapter" in production:
        number, value = production["adapter"]
        return source.path, number, value.strip("\"'")
    merge = production.get("<<")
    if merge is not None:
        base = anchors.get(merge[1].lstrip("*").strip())
        adapter = sections.get(base or "", {}).get("adapter")
        if adapter is not None:
            return source.path, merge[0], adapter[1].strip("\"'")
    return None
