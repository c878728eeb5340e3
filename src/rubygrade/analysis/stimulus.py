"""Stimulus wiring, both sides: controllers from the JavaScript trees, uses from templates.

Controllers: each ``app/javascript/controllers/**/*_controller.js`` gives an
identifier from its file name (``chat_form_controller.js`` -> ``chat-form``,
``admin/x_controller.js`` -> ``admin--x``), its ``static targets``/``values``
and its methods; ``application.register("name", Imported)`` adds names
(a registered npm controller is known but not inspected).

Uses: in templates, ``data-controller``, ``data-action`` descriptors and
``data-<id>-target`` attributes from the HTML (Ruby blanked), and the same
keys in Ruby ``data: { controller: ..., action: ..., chat_target: ... }``
hashes in ERB tags and Ruby view helpers/components.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import field
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.project import Project
    from rubygrade.sources import SourceFile

CONTROLLERS_DIR = "app/javascript/controllers/"
_ATTR = re.compile(r"""\bdata-(?P<name>[\w-]+)\s*=\s*(?P<q>["'])(?P<value>.*?)(?P=q)""", re.S)
_DESCRIPTOR = lazy_compile(r"^(?:(?P<event>[^\s>]+)->)?(?P<ctrl>[\w-]+)#(?P<method>[\w$]+)")
_REGISTER = lazy_compile(r"""register\(\s*["']([\w-]+)["']\s*,\s*(\w+)""")
_NAME = re.compile(r"[\w-]+")  # a controller or target name
_IMPORT = lazy_compile(r"""import\s+(\w+)\s+from\s+["']([^"']+)["']""")


@dataclass
class StimulusController:
    """A Stimulus controller the app registers, and what its class declares."""

    identifier: str
    path: str | None  # None: registered from a package, not inspected
    line: int = 1
    targets: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    inspected: bool = False  # the class body was found and read
    extends_app_class: bool = False  # inherits from another app controller: methods unknown


@dataclass(frozen=True)
class StimulusUse:
    """A ``data-controller``, ``data-action`` or target attribute in a view."""

    kind: str  # "controller" | "action" | "target"
    identifier: str
    name: str  # method or target name ("" for a controller use)
    path: str
    line: int


@dataclass
class StimulusWiring:
    """The app's Stimulus controllers and the views' uses of them."""

    controllers: dict[str, StimulusController] = field(default_factory=dict)
    uses: list[StimulusUse] = field(default_factory=list)

    def used_identifiers(self) -> set[str]:
        return {u.identifier for u in self.uses}


def identifier_for(rel: str) -> str | None:
    """``app/javascript/controllers/chat_form_controller.js`` -> ``chat-form``."""
    if not rel.startswith(CONTROLLERS_DIR):
        return None
    name = rel[len(CONTROLLERS_DIR):]
    for suffix in ("_controller.js", "-controller.js", "_controller.ts", "-controller.ts"):
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("/", "--").replace("_", "-")
    return None


def collect_wiring(project: Project) -> StimulusWiring:
    wiring = StimulusWiring()
    by_path: dict[str, StimulusController] = {}
    # The app's files with their app-relative paths, in path order, for the passes below.
    files = [(source, project.app_relative(source.path) or "")
             for source in sorted(project.app_files(), key=lambda s: s.path)]
    for source, rel in files:
        ident = identifier_for(rel)
        if ident is not None and source.kind == "javascript":
            controller = _read_controller(ident, source)
            wiring.controllers[ident] = controller
            by_path[rel] = controller
    for source, _ in files:
        if source.kind == "javascript":
            _registrations(source, project, wiring, by_path)
    for source, rel in files:
        if source.kind == "erb" and rel.startswith("app/"):
            wiring.uses += _html_uses(source)
            wiring.uses += _ruby_uses(source)
        elif source.kind == "ruby" and rel.startswith(("app/helpers/", "app/components/",
                                                       "app/views/")):
            wiring.uses += _ruby_uses(source)
    wiring.uses.sort(key=lambda u: (u.path, u.line, u.kind, u.identifier, u.name))
    return wiring


# -- controllers -------------------------------------------------------------------------
def _read_controller(ident: str, source: SourceFile) -> StimulusController:
    controller = StimulusController(ident, source.path)
    root = source.root
    if root is None:
        return controller
    cls = next((n for n in treeutil.walk(root) if n.type in ("class", "class_declaration")), None)
    if cls is None:
        return controller
    controller.inspected = True
    controller.line = treeutil.line_of(cls)
    heritage = next((c for c in cls.children if c.type == "class_heritage"), None)
    parent = treeutil.text(heritage).removeprefix("extends").strip() if heritage else ""
    controller.extends_app_class = bool(parent) and parent.rsplit(".", 1)[-1] != "Controller"
    body = cls.child_by_field_name("body")
    for member in body.named_children if body is not None else ():
        if member.type == "method_definition":
            name = member.child_by_field_name("name")
            if name is not None:
                controller.methods.add(treeutil.text(name).lstrip("#"))
        elif member.type == "field_definition":
            prop = member.child_by_field_name("property")
            value = member.child_by_field_name("value")
            is_static = treeutil.text(member).startswith("static")
            if prop is None or value is None:
                continue
            pname = treeutil.text(prop)
            if is_static and pname == "targets":
                controller.targets |= _strings(value)
            elif is_static and pname == "values":
                controller.values |= _keys(value)
            elif not is_static and value.type in ("arrow_function", "function_expression",
                                                  "function"):
                controller.methods.add(pname.lstrip("#"))  # ``send = (e) => {...}``
    return controller


def _strings(node: Node) -> set[str]:
    return {treeutil.text(c)[1:-1] for c in node.named_children if c.type == "string"}


def _keys(node: Node) -> set[str]:
    out = set()
    for pair in node.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None:
            out.add(treeutil.text(key).strip("\"'"))
        elif pair.type == "shorthand_property_identifier":
            out.add(treeutil.text(pair))
    return out


def _registrations(source: SourceFile, project: Project, wiring: StimulusWiring,
                   by_path: dict[str, StimulusController]) -> None:
    text = source.text
    if "register(" not in text:
        return
    imports = {m.group(1): m.group(2) for m in _IMPORT.finditer(text)}
    folder = (project.app_relative(source.path) or "").rsplit("/", 1)[0]
    for match in _REGISTER.finditer(text):
        ident, const = match.group(1), match.group(2)
        if ident in wiring.controllers:
            continue
        target = imports.get(const, "")
        found = None
        if target.startswith("."):
            rel = _join(folder, target)
            found = next((c for p, c in by_path.items() if p in (rel, rel + ".js")), None)
        wiring.controllers[ident] = found or StimulusController(ident, None)


def _join(folder: str, target: str) -> str:
    parts = folder.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


# -- uses in templates ---------------------------------------------------------------------
def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _html_uses(source: SourceFile) -> list[StimulusUse]:
    if "data-" not in source.text:
        return []  # nor in its HTML (the text with Ruby blanked): no attribute to read
    html = source.html_text()
    out: list[StimulusUse] = []
    # Matches come in order: count the newlines since the previous one, not from the start.
    line, counted = 1, 0
    for match in _attributes(html):
        start = match.start()
        line += html.count("\n", counted, start)
        counted = start
        out += _uses_of(match.group("name"), match.group("value"), source.path, line)
    return out


def _attributes(html: str) -> Iterator[re.Match[str]]:
    """``_ATTR.finditer(html)``, tried only where ``data-`` is: the pattern opens with
    ``\\b``, which keeps the regex engine from skipping ahead to its literal, so it would
    try every position of the page."""
    position = html.find("data-")
    while position != -1:
        match = _ATTR.match(html, position)
        if match is None:
            position = html.find("data-", position + 1)
        else:
            yield match
            position = html.find("data-", match.end())


def _uses_of(name: str, value: str, path: str, line: int) -> list[StimulusUse]:
    name = name.replace("_", "-")
    out: list[StimulusUse] = []
    if name == "controller":
        out += [StimulusUse("controller", v, "", path, line) for v in value.split()
                if _NAME.fullmatch(v)]
    elif name == "action":
        for descriptor in value.split():
            d = _DESCRIPTOR.match(descriptor)
            if d is not None:
                out.append(StimulusUse("action", d.group("ctrl"), d.group("method"), path, line))
    elif name.endswith("-target") and len(name) > len("-target"):
        ident = name[: -len("-target")]
        out += [StimulusUse("target", ident, v, path, line) for v in value.split()
                if _NAME.fullmatch(v)]
    return out


def _ruby_uses(source: SourceFile) -> list[StimulusUse]:
    """``data: { controller: "chat", action: "x->chat#send", chat_target: "input" }``."""
    root = source.root
    if root is None or "data" not in source.text:
        return []
    out: list[StimulusUse] = []
    for node in treeutil.nodes_at_token(root, root.text or b"", "pair", ":", "=>"):
        key = _key_name(node.child_by_field_name("key"))
        value = node.child_by_field_name("value")
        if value is None:
            continue
        if key == "data" and value.type == "hash":
            for pair in value.named_children:
                if pair.type != "pair":
                    continue
                inner = _key_name(pair.child_by_field_name("key"))
                text = treeutil.string_value(pair.child_by_field_name("value"))
                if inner and text:
                    out += _uses_of(inner, text, source.path, treeutil.line_of(pair))
        elif key and key.startswith("data-"):
            text = treeutil.string_value(value)
            if text:
                out += _uses_of(key[5:], text, source.path, treeutil.line_of(node))
    return out


def _key_name(node: Node | None) -> str | None:
    if node is None:
        return None
    if node.type == "hash_key_symbol":
        return treeutil.text(node)
    return treeutil.string_value(node)
