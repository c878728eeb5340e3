"""Views and front-end files: partials, the file a whole-app Hotwire finding points at."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil

if TYPE_CHECKING:
    from rubygrade.index import Index
    from rubygrade.index.model import CallSite, MethodDef
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


def view_controllers(project: Project, index: Index, path: str) -> list[str]:
    """The controllers whose instance variables a view sees, by Rails' folder convention
    (``app/views/admin/chats/x.html.erb`` -> ``Admin::ChatsController``)."""
    rel = project.app_relative(path) or ""
    if not rel.startswith("app/views/") or rel.count("/") < 3:
        return []
    folder = rel[len("app/views/"):].rsplit("/", 1)[0]
    name = "::".join("".join(w[:1].upper() + w[1:] for w in seg.split("_"))
                     for seg in folder.split("/"))
    cls = f"{name}Controller"
    return [cls] if index.class_defs(cls) else []


def partial_name(rel: str) -> str | None:
    """``app/views/messages/_message.html.erb`` -> ``messages/message``."""
    if not rel.startswith("app/views/"):
        return None
    folder, _, file = rel[len("app/views/"):].rpartition("/")
    if not file.startswith("_"):
        return None
    return f"{folder}/{file[1:].split('.', 1)[0]}"


class Renders:
    """Who renders which partial with what: the values of a partial's locals."""

    def __init__(self, project: Project, index: Index) -> None:
        self.project = project
        self.index = index
        self._renders: list[CallSite] | None = None
        # (path, local) -> partial_local_values: asked once per identifier of a partial.
        self._passed: dict[tuple[str, str], list[tuple[Node, CallSite, bool]]] = {}
        self._partials: tuple[dict[str, list[int]], list[int]] | None = None

    def _calls(self) -> list[CallSite]:
        if self._renders is None:
            # a view's or controller's ``render`` (receiver-less, or ``ApplicationController``'s):
            # ``markdown.render(text)`` renders no partial
            self._renders = [c for c in self.index.calls if c.args and _may_render(c)]
        return self._renders

    def unrendered(self, path: str) -> bool:
        """A view template its own controller never renders: no action of that name and no
        ``render`` naming it (``show_html.erb``, a leftover). Partials and views whose
        controller the folder convention does not find are never judged unrendered."""
        rel = self.project.app_relative(path) or ""
        if not rel.startswith("app/views/") or partial_name(rel) is not None:
            return False
        controllers = view_controllers(self.project, self.index, path)
        if not controllers:
            return False
        folder, _, file = rel[len("app/views/"):].rpartition("/")
        name = file.split(".", 1)[0]
        parts = file.split(".")
        fmt = parts[1] if len(parts) >= 3 else None  # ``create.turbo_stream.erb``
        for cls in controllers:
            for owner in self.index.ancestors(cls):
                if any(m.name == name and _responds_with(m, fmt)
                       for m in self.index.methods_of(owner, singleton=False)):
                    return False
        for call in self._calls():
            for arg in call.args:
                value = treeutil.string_value(arg.value)
                if value and value.rsplit("/", 1)[-1] == name:
                    return False
        return True

    def partial_local_values(self, path: str, local: str) -> list[tuple[Node, CallSite, bool]]:
        """(value, render call, each?) for each place that renders the partial at ``path`` and
        passes ``local`` (``collection:``/``object:`` with ``as:``, ``locals:``, a keyword,
        or ``render @messages`` for the partial named after the model). ``each`` is True
        when the partial is rendered once per element of the value (``collection:``,
        ``render @messages``): the local holds an element, not the value."""
        known = self._passed.get((path, local))
        if known is not None:
            return known
        partial = partial_name(self.project.app_relative(path) or "")
        out: list[tuple[Node, CallSite, bool]] = []
        if partial is not None:
            calls = self._calls()
            by_base, unnamed = self._by_partial()
            base = partial.rsplit("/", 1)[-1]
            # Only the calls that can render it: those naming a partial of that base name,
            # and (for the local named after the model) those naming none; in call order.
            for i in sorted(by_base.get(base, []) + (unnamed if local == base else [])):
                found = _rendered_value(calls[i], partial, local)
                if found is not None:
                    out.append((found[0], calls[i], found[1]))
        self._passed[(path, local)] = out
        return out

    def _by_partial(self) -> tuple[dict[str, list[int]], list[int]]:
        """Positions in :meth:`_calls` by the base name of the partial each names, and the
        positions of those naming none (``render @messages``)."""
        if self._partials is None:
            by_base: dict[str, list[int]] = {}
            unnamed: list[int] = []
            for i, call in enumerate(self._calls()):
                named = _named_partial(call)
                if named is None:
                    unnamed.append(i)
                else:
                    by_base.setdefault(named.rsplit("/", 1)[-1], []).append(i)
            self._partials = (by_base, unnamed)
        return self._partials


def _may_render(call: CallSite) -> bool:
    """``render``/``render_to_string`` without a receiver or on a constant, or any call
    with a ``partial:`` or ``template:`` keyword. Asked of every call with arguments, so
    the keywords are read in one plain pass over the arguments."""
    if call.method in ("render", "render_to_string") and (
            call.receiver is None or call.receiver_constant is not None):
        return True
    for arg in call.args:
        if arg.kind == "keyword" and arg.name in ("partial", "template"):
            return True
    return False


def _named_partial(call: CallSite) -> str | None:
    """The partial a render call names (``partial:``, or its first argument), if any."""
    target = call.keyword("partial")
    return treeutil.string_value(target.value) if target is not None else (
        treeutil.string_value(call.positional[0].node) if call.positional else None)


def _responds_with(action: MethodDef, fmt: str | None) -> bool:
    """The action can render its ``fmt`` template: it has no ``respond_to`` block, or the
    block names that format (``format.turbo_stream``). An action whose ``respond_to``
    lists only html and json never renders ``create.turbo_stream.erb``."""
    if fmt is None or fmt == "html" or action.body is None:
        return True
    formats: set[str] = set()
    for node in treeutil.walk(action.body):
        if node.type == "call" and treeutil.text(node.child_by_field_name("method")) == \
                "respond_to" and node.child_by_field_name("block") is not None:
            block = node.child_by_field_name("block")
            params = block.child_by_field_name("parameters") if block is not None else None
            name = treeutil.text(params).strip("| ") if params is not None else "format"
            if name.isidentifier():
                formats |= set(re.findall(rf"\b{name}\.(\w+)", treeutil.text(block)))
    return not formats or fmt in formats or "any" in formats or "all" in formats


def _rendered_value(call: CallSite, partial: str, local: str) -> tuple[Node, bool] | None:
    named = _named_partial(call)
    base = partial.rsplit("/", 1)[-1]
    if named is not None and named.rsplit("/", 1)[-1] != base:
        return None
    if named is None:
        # ``render @messages`` / ``render message``: the model names the partial, so the
        # rendered name (singular) must be the partial's (``render @models`` is models/_model).
        if local != base or not call.positional:
            return None
        rendered = call.positional[0].node
        last = re.split(r"[.@:]", treeutil.text(rendered))[-1]
        if last not in (base, base + "s", base + "es"):
            return None
        return rendered, last != base
    for key, each in (("collection", True), ("object", False)):
        arg = call.keyword(key)
        if arg is not None:
            as_arg = call.keyword("as")
            as_name = treeutil.string_value(as_arg.value) if as_arg is not None else base
            if as_name == local:
                return arg.value, each
    locals_arg = call.keyword("locals")
    if locals_arg is not None and locals_arg.value.type == "hash":
        for pair in locals_arg.value.named_children:
            key_node = pair.child_by_field_name("key")
            value = pair.child_by_field_name("value")
            if key_node is not None and value is not None and \
                    treeutil.text(key_node).strip(":") == local:
                return value, False
    direct = call.keyword(local)
    return (direct.value, False) if direct is not None else None
