"""Read Gemfile.lock and Gemfile as data, never evaluating them.

Gemfile.lock is a line format: the ``specs:`` block of each source lists
``    name (version[-platform])`` at four spaces, dependencies at six. The
Gemfile is Ruby; its ``gem "name", "constraint"`` calls are read from the
tree-sitter tree, so conditionals and loops around them are never run.
"""

from __future__ import annotations

import re
from dataclasses import field

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass

_SPEC = re.compile(r"^    (?P<name>[A-Za-z0-9_.\-]+) \((?P<version>[^)]+)\)\s*$")
_DEPENDENCY = re.compile(r"^  (?P<name>[A-Za-z0-9_.\-]+)(?P<bang>!)?(?: \((?P<req>[^)]+)\))?\s*$")
_PLATFORM_SUFFIX = re.compile(
    r"-(x86_64|x86|arm64|aarch64|arm|universal|java|x64|mingw|mswin|i[3-6]86|darwin|linux)"
)


def _strip_platform(version: str) -> str:
    """``1.18.9-x86_64-linux-gnu`` -> ``1.18.9``; ``1.0.0.pre-1`` keeps its pre-release."""
    match = _PLATFORM_SUFFIX.search(version)
    return version[: match.start()] if match else version


@dataclass
class Lockfile:
    """What ``Gemfile.lock`` records: resolved gem versions, their sources, platforms."""

    gems: dict[str, str] = field(default_factory=dict)  # name -> version (platform stripped)
    sources: dict[str, str] = field(default_factory=dict)  # name -> "GEM" | "GIT" | "PATH" ...
    platforms: list[str] = field(default_factory=list)
    dependencies: dict[str, str | None] = field(default_factory=dict)  # direct deps -> requirement
    ruby_version: str | None = None
    bundler_version: str | None = None

    def version_of(self, name: str) -> str | None:
        return self.gems.get(name)


def parse_lockfile(text: str) -> Lockfile:
    lock = Lockfile()
    section = ""
    in_specs = False
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if line and not line.startswith(" "):
            section = line.strip()
            in_specs = False
            continue
        if section in ("GEM", "GIT", "PATH", "PLUGIN SOURCE"):
            if line.strip() == "specs:":
                in_specs = True
                continue
            if in_specs:
                match = _SPEC.match(line)
                if match:
                    name = match.group("name")
                    version = _strip_platform(match.group("version"))
                    # Several platform variants of one gem share a version: keep the first.
                    lock.gems.setdefault(name, version)
                    lock.sources.setdefault(name, section)
        elif section == "PLATFORMS" and line.strip():
            lock.platforms.append(line.strip())
        elif section == "DEPENDENCIES":
            match = _DEPENDENCY.match(line)
            if match:
                lock.dependencies[match.group("name")] = match.group("req")
        elif section == "RUBY VERSION" and line.strip():
            lock.ruby_version = line.strip().removeprefix("ruby ").split("p")[0].strip()
        elif section == "BUNDLED WITH" and line.strip():
            lock.bundler_version = line.strip()
    return lock


@dataclass(frozen=True)
class GemDeclaration:
    """One ``gem`` line of the Gemfile."""

    name: str
    requirements: tuple[str, ...]
    line: int
    groups: tuple[str, ...] = ()


@dataclass
class Gemfile:
    """The gems and the Ruby version the Gemfile declares."""

    gems: list[GemDeclaration] = field(default_factory=list)
    ruby_version: str | None = None
    ruby_version_line: int | None = None

    def find(self, name: str) -> GemDeclaration | None:
        return next((g for g in self.gems if g.name == name), None)

    def names(self) -> set[str]:
        return {g.name for g in self.gems}


def parse_gemfile(root: object) -> Gemfile:
    """Collect ``gem`` and ``ruby`` calls from a parsed Gemfile tree (a tree-sitter Node)."""
    from tree_sitter import Node

    gemfile = Gemfile()
    if not isinstance(root, Node):
        return gemfile
    for node in treeutil.walk(root):
        if node.type != "call" or node.child_by_field_name("receiver") is not None:
            continue
        method = treeutil.text(node.child_by_field_name("method"))
        if method not in ("gem", "ruby"):
            continue
        args = node.child_by_field_name("arguments")
        values = [
            treeutil.string_value(a) for a in (args.named_children if args is not None else [])
        ]
        strings = [v for v in values if v is not None]
        if method == "ruby":
            if strings:
                gemfile.ruby_version = strings[0].lstrip("~>= ").strip()
                gemfile.ruby_version_line = treeutil.line_of(node)
            continue
        if not strings:
            continue
        gemfile.gems.append(
            GemDeclaration(
                name=strings[0],
                requirements=tuple(strings[1:]),
                line=treeutil.line_of(node),
                groups=_enclosing_groups(node),
            )
        )
    return gemfile


def _enclosing_groups(node: object) -> tuple[str, ...]:
    groups: list[str] = []
    for ancestor in treeutil.ancestors(node):  # type: ignore[arg-type]
        if ancestor.type == "call" and treeutil.text(ancestor.child_by_field_name("method")) == "group":
            args = ancestor.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else []:
                value = treeutil.string_value(arg)
                if value:
                    groups.append(value)
    return tuple(groups)
