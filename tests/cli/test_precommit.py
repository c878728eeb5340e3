"""The pre-commit hook for real: install it from a git copy of this project, commit into a Rails app.

pre-commit clones the hook repository and pip-installs it into its own
virtualenv, so this needs `git` and the package index (CI has both); it is
marked slow so it can be deselected with ``-m 'not slow'``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
MINIAPP = ROOT / "tests" / "fixtures" / "apps" / "miniapp"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
HOOK_FILES = ("src", "api_signatures", "rules", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None or not PRE_COMMIT.exists(),
                       reason="needs git and pre-commit"),
]


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=cwd, env=env, check=check, capture_output=True, text=True, timeout=600)


def _hook_repo(target: Path) -> str:
    """A committed copy of this project's working tree (independent of /work/main's git state)."""
    target.mkdir()
    for name in HOOK_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "hook")
    return _git(target, "rev-parse", "HEAD").stdout.strip()


def test_commit_with_invented_dsl_is_refused_and_clean_commit_passes(tmp_path: Path) -> None:
    rev = _hook_repo(tmp_path / "hook")
    app = tmp_path / "app"
    shutil.copytree(MINIAPP, app)
    (app / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tmp_path / 'hook'}\n    rev: {rev}\n    hooks:\n      - id: rubygrade\n",
        encoding="utf-8")
    _git(app, "init", "-q")
    env_home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run([str(PRE_COMMIT), "install"], cwd=app, check=True, capture_output=True,
                   env={**os.environ, **env_home})
    _git(app, "add", "-A")
    _git(app, "commit", "-q", "--no-verify", "-m", "baseline")  # the app as it was before the hook

    service = app / "app" / "services" / "chat_service.rb"
    text = service.read_text(encoding="utf-8")

    def commit(new_text: str, message: str) -> subprocess.CompletedProcess[str]:
        service.write_text(new_text, encoding="utf-8")
        _git(app, "add", "-A")
        env = {**os.environ, **env_home, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
        return subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-m", message], cwd=app,
                              env=env, capture_output=True, text=True, timeout=900)

    bad = commit(text.replace("    response = chat.ask(prompt)",
                              '    chat.user "hi"\n    response = chat.ask(prompt)'), "invented DSL")
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "RG201" in bad.stdout + bad.stderr
    assert "invented dsl" not in _git(app, "log", "--format=%s").stdout.lower()

    good = commit(text.replace("Be brief.", "Be brief and kind."), "clean change")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "clean change" in _git(app, "log", "--format=%s").stdout
