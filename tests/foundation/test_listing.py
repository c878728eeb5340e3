"""Which files count must not depend on who runs rubygrade: when git cannot list the
repository (dubious ownership, a broken .git, no git), the .gitignore files are read directly."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from rubygrade import grade
from rubygrade.project import load_project

from .helpers import MINIMAL_APP, write_tree

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def clean_git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def _repo(tmp_path: Path) -> Path:
    key = "sk-or-v1-" + secrets.token_hex(32)
    root = write_tree(tmp_path / "repo", {
        **MINIMAL_APP,
        ".gitignore": "/.env\n/log/\n*.local.rb\n!keep.local.rb\n",
        ".env": f"OPENROUTER_API_KEY={key}\n",          # ignored: would be RG110 + RG803 errors
        "app/models/dev.local.rb": "class Dev; end\n",    # ignored by a glob
        "app/models/keep.local.rb": "class Keep; end\n",  # re-included by a negation
        "app/javascript/.gitignore": "generated.js\n",   # a nested .gitignore
        "app/javascript/generated.js": "x = 1\n",
        "app/javascript/kept.js": "y = 2\n",
    })
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)
    return root


def _listing(report_diagnostics: list) -> list[str]:  # type: ignore[type-arg]
    return [d.message for d in report_diagnostics if d.message.startswith("file listing:")]


@needs_git
@pytest.mark.usefixtures("clean_git_env")
def test_broken_git_reads_gitignore_and_grades_the_same(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    with_git = grade(root)
    assert _listing(with_git.diagnostics) == [
        "file listing: git ls-files (tracked files, and untracked files that .gitignore does not exclude)"]
    assert not any(f.path == ".env" for f in with_git.findings)
    (root / ".git" / "HEAD").write_text("garbage\n", encoding="utf-8")  # git now refuses it
    broken = grade(root)
    [note] = _listing(broken.diagnostics)
    assert note.startswith("file listing: folder walk applying .gitignore files (git failed: ")
    assert str(tmp_path) not in note  # no absolute path in a report
    assert not any(f.path == ".env" for f in broken.findings)
    assert (broken.total, broken.tier, broken.findings) == (with_git.total, with_git.tier, with_git.findings)
    files = set(load_project(root).files)
    assert {"app/models/keep.local.rb", "app/javascript/kept.js"} <= files
    assert not {".env", "app/models/dev.local.rb", "app/javascript/generated.js"} & files
    # what the grade would be if the ignored .env were read: the listing matters
    (root / ".gitignore").write_text("", encoding="utf-8")
    exposed = grade(root)
    assert {"RG110", "RG803"} <= {f.rule_id for f in exposed.findings if f.path == ".env"}
    assert exposed.total < broken.total


@needs_git
@pytest.mark.usefixtures("clean_git_env")
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_dubious_ownership_is_named_and_gitignore_still_applies(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    os.chown(root, 12345, 12345)
    os.chown(root / ".git", 12345, 12345)
    report = grade(root)
    assert _listing(report.diagnostics) == [
        "file listing: folder walk applying .gitignore files (git refused the repository (dubious "
        "ownership))"]
    assert not any(f.path == ".env" for f in report.findings)


def test_a_folder_without_git_applies_its_gitignore(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**MINIMAL_APP, ".gitignore": "/secret/\n", "secret/x.rb": "1\n",
                                 "lib/x.rb": "1\n"})
    project = load_project(root)
    assert "lib/x.rb" in project.files and "secret/x.rb" not in project.files
    assert project.listing == "walk"
    assert [d.message for d in project.diagnostics if d.kind == "project"] == [
        "file listing: folder walk applying .gitignore files (not a git work tree)"]


def test_bad_gitignore_patterns_do_not_break_the_walk(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**MINIMAL_APP, ".gitignore": "a/**b/[\n\x00\n/ignored.rb\n",
                                 "ignored.rb": "1\n", "kept.rb": "2\n"})
    files = set(load_project(root).files)
    assert "kept.rb" in files and "ignored.rb" not in files


@needs_git
@pytest.mark.usefixtures("clean_git_env")
def test_the_users_global_excludes_do_not_change_the_listing(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    write_tree(root, {"app/models/untracked.rb": "class U; end\n"})
    excludes = tmp_path / "global-excludes"
    excludes.write_text("*.rb\n", encoding="utf-8")
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f"[core]\n\texcludesFile = {excludes}\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("*.rb\n", encoding="utf-8")
    assert "app/models/untracked.rb" in load_project(root).files
