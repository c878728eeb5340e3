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


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    """The hook repository, its commit and a pre-commit home shared by the tests (one install)."""
    base = tmp_path_factory.mktemp("precommit")
    rev = _hook_repo(base / "hook")
    return base / "hook", rev, {"PRE_COMMIT_HOME": str(base / "pre-commit-home")}


def _app_repo(app_root: Path, app: Path, hook: tuple[Path, str, dict[str, str]]) -> None:
    hook_dir, rev, env_home = hook
    shutil.copytree(MINIAPP, app)
    (app_root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_dir}\n    rev: {rev}\n    hooks:\n      - id: rubygrade\n",
        encoding="utf-8")
    _git(app_root, "init", "-q")
    subprocess.run([str(PRE_COMMIT), "install"], cwd=app_root, check=True, capture_output=True,
                   env={**os.environ, **env_home})
    _git(app_root, "add", "-A")
    _git(app_root, "commit", "-q", "--no-verify", "-m", "baseline")  # the app as it was before the hook


def _commit(repo: Path, message: str, env_home: dict[str, str],
            *paths: str) -> subprocess.CompletedProcess[str]:
    if paths:
        _git(repo, "add", "-f", *paths)
    else:
        _git(repo, "add", "-A")
    env = {**os.environ, **env_home, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-m", message], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=900)


def test_commit_with_invented_dsl_is_refused_and_clean_commit_passes(
        tmp_path: Path, hook: tuple[Path, str, dict[str, str]]) -> None:
    app = tmp_path / "app"
    _app_repo(app, app, hook)
    service = app / "app" / "services" / "chat_service.rb"
    text = service.read_text(encoding="utf-8")

    service.write_text(text.replace("    response = chat.ask(prompt)",
                                    '    chat.user "hi"\n    response = chat.ask(prompt)'), encoding="utf-8")
    bad = _commit(app, "invented DSL", hook[2])
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "RG201" in bad.stdout + bad.stderr
    assert "invented dsl" not in _git(app, "log", "--format=%s").stdout.lower()

    service.write_text(text.replace("Be brief.", "Be brief and kind."), encoding="utf-8")
    good = _commit(app, "clean change", hook[2])
    assert good.returncode == 0, good.stdout + good.stderr
    assert "clean change" in _git(app, "log", "--format=%s").stdout


def test_app_two_folders_down_and_a_staged_env_are_refused(
        tmp_path: Path, hook: tuple[Path, str, dict[str, str]]) -> None:
    import secrets

    repo = tmp_path / "monorepo"
    app = repo / "apps" / "web"
    repo.mkdir()
    (repo / ".gitignore").write_text(".env\n", encoding="utf-8")
    _app_repo(repo, app, hook)
    service = app / "app" / "services" / "chat_service.rb"
    text = service.read_text(encoding="utf-8")
    service.write_text(text.replace("    response = chat.ask(prompt)",
                                    '    chat.user "hi"\n    response = chat.ask(prompt)'), encoding="utf-8")
    bad = _commit(repo, "nested invented DSL", hook[2])
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "apps/web/app/services/chat_service.rb:9:5: RG201 error" in bad.stdout + bad.stderr
    service.write_text(text, encoding="utf-8")
    _git(repo, "add", "-A")

    (app / ".env").write_text(f"OPENROUTER_API_KEY=sk-or-v1-{secrets.token_hex(32)}\n", encoding="utf-8")
    leak = _commit(repo, "add env", hook[2], "apps/web/.env")
    assert leak.returncode != 0, leak.stdout + leak.stderr
    assert "apps/web/.env:1:20: RG803 error" in leak.stdout + leak.stderr
    assert "add env" not in _git(repo, "log", "--format=%s").stdout
