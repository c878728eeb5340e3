"""One ``.gitignore`` file's patterns, matched as pathspec's ``GitIgnoreSpec`` matches them.

A folder that is not a git work tree is listed by a walk that applies its ``.gitignore``
files itself. Importing pathspec costs about 25 ms (its backends probe optional regex
engines), more than listing a small app, and its matcher runs every pattern's regex
on every path. Rails apps write patterns of literal characters, ``*``, ``?``, ``**`` and
slashes; those are translated here. A line with a bracket expression or a backslash
escape is translated by pathspec, imported only for such a line.

The verdicts are GitIgnoreSpec's, which the tests check pattern by pattern:

- a leading ``/``, or a slash inside, anchors a pattern at the ``.gitignore``'s folder;
  a single name (``foo``, ``foo/``) matches at any depth;
- ``foo/`` matches only what is inside ``foo`` (folders are checked as ``foo/``);
- ``*`` and ``?`` never match a slash; a ``**`` name matches any folders;
- ``!`` negates; the last pattern that matches the path itself decides, and only when
  none does, the last one that matches a folder above it (``foo`` matching ``foo/x``);
- a line that is not a pattern (``!`` alone) is dropped, the rest of the file is kept.
"""

from __future__ import annotations

import re

# The one capturing group of a pattern's regex: the slash after a folder the pattern
# names. A match through it is a match of a folder above the path, the weaker kind.
_VIA_FOLDER = "(/)"
# After a pattern's last name: the path ends there, or goes on inside that folder.
_NAME_END = f"(?:{_VIA_FOLDER}|$)"
_WILDCARDS = re.compile(r"[*?]")


class _Pattern:
    """One pattern: its regex (compiled when a path first contains its needle), the verdict
    when it matches (True: ignored), and a literal every path it matches contains."""

    __slots__ = ("source", "ignores", "needle", "_regex")

    def __init__(self, source: str, ignores: bool, needle: str = "",
                 regex: re.Pattern[str] | None = None) -> None:
        self.source = source
        self.ignores = ignores
        self.needle = needle
        self._regex = regex

    def search(self, path: str) -> re.Match[str] | None:
        """The regex's match in a path that contains the needle (the caller checks)."""
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex.search(path)


class IgnoreFile:
    """The patterns of one ``.gitignore`` file, for paths relative to its folder."""

    def __init__(self, lines: list[str]) -> None:
        patterns = (_pattern(line) for line in lines)
        # Newest first: the last pattern that matches decides.
        self._patterns = [p for p in patterns if p is not None][::-1]

    def verdict(self, path: str) -> bool | None:
        """True when the file ignores ``path`` (a folder ends with ``/``), False when it
        re-includes it, None when no pattern matches."""
        through_folder = None
        for pattern in self._patterns:
            # Most patterns, most paths: the needle is missing and no regex runs.
            if pattern.needle not in path or (match := pattern.search(path)) is None:
                continue
            if match.lastindex is None:  # the path itself matched
                return pattern.ignores
            if through_folder is None:
                through_folder = pattern.ignores
        return through_folder


def _pattern(line: str) -> _Pattern | None:
    """The pattern of one line, or None for a blank line, a comment or an unusable line."""
    if "[" in line or "\\" in line:
        return _pathspec_pattern(line)
    text = line.rstrip()
    if not text or text.startswith("#") or text == "/":
        return None
    ignores = not text.startswith("!")
    names = (text if ignores else text[1:]).split("/")
    folders_only = names[-1] == ""
    if names[0] == "":
        del names[0]  # a leading slash anchors the pattern, and is no name
    elif len(names) == 1 or (len(names) == 2 and folders_only):
        if names[0] != "**":
            names.insert(0, "**")  # a single name matches at any depth
    if not names:
        return None  # "!" alone: no pattern (pathspec refuses the line)
    if names[-1] == "":
        names[-1] = "**"  # "foo/": whatever is inside foo
    names = [n for i, n in enumerate(names) if n != "**" or i == 0 or names[i - 1] != "**"]
    needle = max((run for name in names for run in _WILDCARDS.split(name)), key=len)
    return _Pattern(_regex(names, folders_only), ignores, needle)


def _regex(names: list[str], folders_only: bool) -> str:
    """The regex of a pattern's names (anchored, ``**`` runs collapsed, a trailing slash
    turned into a last ``**``); searched in a path relative to the ``.gitignore``."""
    if names == ["**"] or names == ["**", "*", "**"]:  # "**", "**/", "*/"
        if folders_only:
            return _VIA_FOLDER
        return "." if names == ["**"] else "/"
    if names == ["**", "*"]:  # "*": everything
        return "."
    last = len(names) - 1
    parts = []
    for i, name in enumerate(names):
        if name == "**":
            if i == 0:
                parts.append("^(?:.+/)?")  # any folders above
            elif i < last:
                parts.append("(?:/.+)?")  # any folders between
            else:
                parts.append(_VIA_FOLDER if folders_only else "/")  # anything inside
            continue
        if i == 0:
            parts.append("^")
        elif i > 1 or names[0] != "**":  # a leading "**" brings its own slash
            parts.append("/")
        parts.append("[^/]+" if name == "*" else _glob(name))
        if i == last:
            parts.append(_NAME_END)
    return "".join(parts)


def _glob(name: str) -> str:
    """The regex of one name of ``*``, ``?`` and literal characters (never a slash)."""
    return "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in name)


def _pathspec_pattern(line: str) -> _Pattern | None:
    """A line with a bracket expression or an escape, translated by pathspec itself (its
    rules for ranges and escapes are many); None where it refuses the line."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        source, include = GitIgnoreSpecPattern.pattern_to_regex(line)
        if source is None or include is None:
            return None
        return _Pattern(source, include, regex=re.compile(source))
    except Exception:  # noqa: BLE001 - one bad pattern must not drop the whole file
        return None
