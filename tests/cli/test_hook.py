"""`rubygrade check` as the pre-commit hook runs it: never pass a bad commit."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from rubygrade import __version__
from rubygrade.cli import main

from .conftest import MINIAPP, add_dsl_call

ROOT = Path(__file__).parents[2]
SERVICE = "app/services/chat_service.rb"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, env=env, check=True, capture_output=True)


def _key() -> str:
    return "OPENROUTER_API_KEY=sk-or-v1-" + secrets.token_hex(32) + "\n"


@pytest.mark.parametrize("depth", ["web", "apps/web", "services/apps/web"])
def test_the_app_is_found_from_each_file_however_deep(tmp_path: Path, depth: str,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    app = repo / depth
    shutil.copytree(MINIAPP, app)
    monkeypatch.chdir(repo)
    assert main(["check", f"{depth}/{SERVICE}"]) == 0
    capsys.readouterr()
    add_dsl_call(app)
    assert main(["check", f"{depth}/{SERVICE}"]) == 1
    out = capsys.readouterr().out
    assert f"{depth}/{SERVICE}:9:5: RG201 error `RubyLLM::Chat#user` does not exist" in out
    assert main(["check", str(app / SERVICE)]) == 1  # an absolute path works the same
    capsys.readouterr()


@needs_git
def test_a_staged_env_file_with_a_key_is_refused_even_when_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(MINIAPP, repo / "apps" / "web")
    (repo / ".gitignore").write_text(".env\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    (repo / "apps" / "web" / ".env").write_text(_key(), encoding="utf-8")
    (repo / ".env").write_text(_key(), encoding="utf-8")
    (repo / "apps" / "web" / "log").mkdir()
    (repo / "apps" / "web" / "log" / "development.log").write_text("request with " + _key(), "utf-8")
    _git(repo, "add", "-f", "apps/web/.env", ".env", "apps/web/log/development.log")
    monkeypatch.chdir(repo)
    assert main(["check", "apps/web/.env", ".env", "apps/web/log/development.log"]) == 1
    captured = capsys.readouterr()
    found = {(line.split(":")[0], line.split()[1]) for line in captured.out.splitlines()
             if not line.startswith(" ")}
    assert {("apps/web/.env", "RG110"), ("apps/web/.env", "RG803"), (".env", "RG110"),
            (".env", "RG803"), ("apps/web/log/development.log", "RG803")} <= found
    assert "rubygrade: skipped .env: not in a Rails app; checked for committed secrets only" in captured.err
    assert "skipped apps/web/log/development.log: not analysed" in captured.err
    # a .env without a key, next to the app: still refused (RG110), and a template passes
    (repo / ".env").write_text("PORT=3000\n", encoding="utf-8")
    assert main(["check", ".env"]) == 1
    (repo / ".env.example").write_text("OPENROUTER_API_KEY=\n", encoding="utf-8")
    assert main(["check", ".env.example"]) == 0
    capsys.readouterr()


def test_a_missing_file_is_a_usage_error(miniapp: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(miniapp)
    assert main(["check", SERVICE, "app/models/gone.rb"]) == 2
    assert capsys.readouterr().err == "rubygrade: error: app/models/gone.rb: no such file\n"
    assert main(["check", "app"]) == 2
    assert "app: is a folder" in capsys.readouterr().err
    assert main(["check", "--root", str(miniapp), "/etc/hostname"]) in (2,)
    assert "outside the repository root" in capsys.readouterr().err


def test_files_outside_any_app_are_named_as_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(MINIAPP, repo / "apps" / "web")
    (repo / "README.md").write_text("# Monorepo\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert main(["check", "README.md", f"apps/web/{SERVICE}"]) == 0
    captured = capsys.readouterr()
    assert "rubygrade: skipped README.md: not in a Rails app; checked for committed secrets only" \
        in captured.err
    assert main(["check", "-q", "README.md"]) == 0
    assert capsys.readouterr().err == ""


def test_the_hook_manifest_passes_env_and_key_files() -> None:
    from identify.identify import tags_from_path
    from pre_commit.clientlib import load_manifest

    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "rubygrade" and hook["entry"] == "rubygrade check"
    assert hook["language"] == "python" and hook["require_serial"] is True
    assert hook["types"] == ["text"] and hook["files"] == "" and hook["exclude"] == "^$"
    assert hook["pass_filenames"] is not False
    samples = {".env": "A=1\n", ".env.production": "A=1\n", "master.key": "0123abcd\n",
               "server.pem": "-----BEGIN PRIVATE KEY-----\n", "id_ed25519": "x\n",
               "chat_service.rb": "x = 1\n", "compose.yaml": "services: {}\n"}
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in samples.items():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            assert "text" in tags_from_path(str(path)), name


def test_readme_and_docs_name_the_release_tag() -> None:
    import re

    tag = f"v{__version__}"
    for rel in ("README.md", "docs/pre-commit.md"):
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert set(re.findall(r"rev: (\S+)", text)) == {tag}, rel
        assert "scripts/release.py" in text, rel
    action = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    assert set(re.findall(r"rubygrade/rubygrade@(\S+)", action)) == {tag}


@needs_git
def test_release_script_checks_the_version_and_creates_the_tag(tmp_path: Path) -> None:
    import sys

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, capture_output=True)
    for name in ("README.md", "docs", "src", "scripts", "pyproject.toml"):  # the work tree as it is
        target = clone / name
        if (ROOT / name).is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, target)
    _git(clone, "add", "-A")
    _git(clone, "commit", "-qm", "work tree", "--allow-empty")
    script = [sys.executable, str(clone / "scripts" / "release.py"), "--root", str(clone)]
    dry = subprocess.run(script, capture_output=True, text=True, check=False)
    assert dry.returncode == 0, dry.stderr
    assert f"v{__version__}: ready" in dry.stdout
    made = subprocess.run([*script, "--tag"], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    tags = subprocess.run(["git", "-C", str(clone), "tag", "--list"], capture_output=True, text=True,
                          check=True).stdout.split()
    assert f"v{__version__}" in tags
    again = subprocess.run(script, capture_output=True, text=True, check=False)
    assert again.returncode == 1 and "exists already" in again.stderr
    (clone / "pyproject.toml").write_text(
        (clone / "pyproject.toml").read_text(encoding="utf-8").replace(
            f'version = "{__version__}"', 'version = "9.0.0"'), encoding="utf-8")
    bad = subprocess.run(script, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert f"pyproject.toml has version 9.0.0, rubygrade.__version__ is {__version__}" in bad.stderr
    assert f"README.md: names v{__version__}, not v9.0.0" in bad.stderr
    assert "uncommitted changes" in bad.stderr


def test_hooks_yaml_is_valid_yaml() -> None:
    assert isinstance(yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")), list)


@pytest.mark.internal_diagnostics
def test_a_rule_that_crashes_refuses_the_commit(miniapp: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from rubygrade.selection import find_rule

    rule = find_rule("RG803")
    assert rule is not None

    def crash(self: object, ctx: object) -> None:
        raise ValueError("unexpected input")

    monkeypatch.setattr(rule, "check", crash)
    monkeypatch.chdir(miniapp)
    assert main(["check", SERVICE]) == 3
    err = capsys.readouterr().err
    assert "rubygrade: internal error: RG803 failed and was skipped: ValueError: unexpected input" in err
    assert "--ignore the rule" in err
    assert main(["check", SERVICE, "--ignore", "RG803"]) == 0
    (miniapp / ".env").write_text("A=1\n", encoding="utf-8")
    monkeypatch.chdir(miniapp.parent)
    (miniapp.parent / ".env").write_text("A=1\n", encoding="utf-8")  # outside the app: the secret scan
    assert main(["check", ".env"]) == 3
    capsys.readouterr()
