"""rubygrade.gitignore answers as pathspec's GitIgnoreSpec answers, pattern for pattern.

The folder walk used to match every path with GitIgnoreSpec; its own translation must
keep each verdict (ignored, re-included, no say), so these tests ask both.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest

from rubygrade.gitignore import IgnoreFile
from rubygrade.project import load_project

from .helpers import MINIMAL_APP, write_tree

PATHS = [
    "foo", "foo/", "foo/bar", "foo/bar/", "foo/bar/baz.rb", "a/foo", "a/foo/", "a/foo/bar",
    "a/b/foo/c.rb", "bar/foo", "foobar", "xfoo", "foo.rb", "a/foo.rb", "a/b/c.rb", ".env",
    ".env.example", "config/.env", "log/", "log/.keep", "log/dev.log", "log/sub/", "log/sub/x",
    "tmp/pids/", "tmp/pids/.keep", "tmp/pids/1", "a b", "a b/", " lead", "trail ", "#hash",
    "!bang", "a*b", "a?b", "[x]", "x\\y", "a\nb/foo", "\n", "é/foo", "foo/\n",
]


def _oracle(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """GitIgnoreSpec of the lines it accepts (the walk drops a line pathspec refuses)."""
    def valid(line: str) -> bool:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception:  # noqa: BLE001
            return False
        return True

    return pathspec.GitIgnoreSpec.from_lines([ln for ln in lines if valid(ln)])


def _assert_same(lines: list[str], paths: list[str]) -> None:
    ours, theirs = IgnoreFile(lines), _oracle(lines)
    for path in paths:
        assert ours.verdict(path) == theirs.check_file(path).include, (lines, path)


@pytest.mark.parametrize("lines", [
    ["foo"], ["foo/"], ["/foo"], ["/foo/"], ["foo/bar"], ["foo/*"], ["/log/*"], ["*.rb"],
    ["*"], ["*/"], ["**"], ["**/"], ["/**"], ["**/foo"], ["**/foo/"], ["foo/**"], ["foo/**/"],
    ["a/**/c.rb"], ["a/**/**/c.rb"], ["**/**/foo"], ["fo?"], ["f*o"], ["a//foo"], ["//"],
    ["/"], ["!"], ["!/"], ["! "], ["#hash"], [" lead"], ["trail "], ["!#hash"], ["!!bang"],
    ["foo", "!foo"], ["!foo", "foo"], ["foo/", "!foo/bar"], ["foo", "!foo/bar/"],
    ["/log/*", "!/log/.keep"], ["/tmp/*", "!/tmp/pids/", "/tmp/pids/*", "!/tmp/pids/.keep"],
    [".env*", "!.env.example"], ["/.env*", "!/.env.example"], ["a/foo", "!foo"],
    ["*", "!*/", "!*.rb"], ["**/foo", "!a/foo/"],
])
def test_plain_patterns_match_as_gitignorespec(lines: list[str]) -> None:
    _assert_same(lines, PATHS)


@pytest.mark.parametrize("lines", [
    ["\\#hash"], ["\\!bang"], ["a\\*b"], ["a\\?b"], ["x\\\\y"], ["trail\\ "], ["foo\\"],
    ["[x]"], ["\\[x\\]"], ["[fx]oo"], ["[!f]oo"], ["[^f]oo"], ["[a-g]oo"], ["[z-a]oo"],
    ["[foo"], ["foo", "![f]oo"], ["[]]"],
])
def test_brackets_and_escapes_are_pathspecs_own(lines: list[str]) -> None:
    _assert_same(lines, PATHS)


def test_random_pattern_files_match_as_gitignorespec() -> None:
    """Random files of random patterns over a small alphabet, on random paths (of names a
    folder can hold: never empty, ``.`` or ``..``, which pathspec would normalise away)."""
    rng = random.Random(20261202)
    pieces = ["a", "b", "foo", "*", "?", "**", "/", ".", " ", "!", "#", "\n", "é"]
    names = ["a", "b", "foo", "a.b", ".a", " ", "**", "*", "\n", "é"]
    for _ in range(400):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
                 for _ in range(rng.randint(1, 4))]
        lines = [ln for part in lines for ln in part.splitlines()]
        paths = ["/".join(rng.choice(names) for _ in range(rng.randint(1, 4)))
                 + rng.choice(["", "/"]) for _ in range(40)]
        _assert_same(lines, paths)


def test_a_deeper_gitignore_overrides_a_shallower_one(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        **MINIMAL_APP,
        ".gitignore": "*.log\n/notes/\nsecret.rb\n",
        "app/.gitignore": "!keep.log\n",
        "app/keep.log": "x\n", "app/drop.log": "x\n", "app/models/secret.rb": "1\n",
        "lib/.gitignore": "!secret.rb\n", "lib/secret.rb": "1\n",
        "notes/.gitignore": "!*\n", "notes/x.rb": "1\n",  # an ignored folder is never entered
    })
    files = set(load_project(root).files)
    assert "app/keep.log" in files and "lib/secret.rb" in files
    assert not {"app/drop.log", "app/models/secret.rb", "notes/x.rb"} & files


def test_the_walk_follows_links_inside_the_repository_once(tmp_path: Path) -> None:
    """A folder's real path is its parent's plus its name unless it is a symlink: a link
    to a folder of the repository is walked once (by whichever path comes first), a link
    out of it never."""
    outside = write_tree(tmp_path / "outside", {"leak.rb": "1\n"})
    root = write_tree(tmp_path / "repo", {**MINIMAL_APP, "b/x.rb": "1\n", "c/y.rb": "1\n"})
    (root / "a").mkdir()
    (root / "a" / "link").symlink_to("../b")
    (root / "c" / "deep").symlink_to("../a")
    (root / "c" / "out").symlink_to(outside)
    project = load_project(root)
    assert {"a/link/x.rb", "c/y.rb"} <= set(project.files)
    assert not any(p.startswith(("b/", "c/deep/", "c/out/")) for p in project.files)
    skipped = {d.path for d in project.diagnostics
               if d.message == "symlinked folder leaves the repository or loops"}
    assert skipped == {"b", "c/deep", "c/out"}


def test_plain_patterns_never_import_pathspec(tmp_path: Path) -> None:
    """Importing pathspec costs more than walking a small app: only a line with a bracket
    expression or an escape needs it (a fresh interpreter: this one has imported it)."""
    plain = write_tree(tmp_path / "plain", {**MINIMAL_APP, ".gitignore": "/log/*\n!/log/.keep\n*.swp\n"})
    ranged = write_tree(tmp_path / "ranged", {**MINIMAL_APP, ".gitignore": "*.sw[op]\n"})
    probe = ("import sys; from rubygrade.project import load_project; "
             "load_project(sys.argv[1]); print('pathspec' in sys.modules)")
    imported = [subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True,
                               text=True, check=True).stdout.strip() for root in (plain, ranged)]
    assert imported == ["False", "True"]
