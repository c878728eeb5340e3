"""Hostile repositories, built in a temporary folder: every run ends with a report.

What AI agents leave behind includes symlink loops, links out of the repository,
huge or binary files, absurd nesting, odd file names and unreadable files. None
of it may raise, hang or leak files from outside the repository into the report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from robustness.apps import diagnostics_for, grade_ok, renders, write_app, write_tree
from rubygrade.engine import Options, analyse
from rubygrade.project import Limits, ProjectError
from rubygrade.sources import SourceFile

DEPTH = 20_000
# Nested blocks whose parameters are used at every level stay at 500 here: the value
# analysis (analysis/values.py _block_param, _is_local_elsewhere) climbs up to 256
# ancestors from every identifier, about 5 s at 20,000 levels; benchmarks/hostile.py grades
# the full size (docs/performance.md).
BLOCK_DEPTH = 500


def test_symlink_loop_is_skipped_with_a_diagnostic(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    (root / "app" / "loop").symlink_to(root / "app")
    (root / "app" / "self.rb").symlink_to("self.rb")  # a link to itself
    report = grade_ok(root)
    assert diagnostics_for(report, "app/loop", "skipped")
    assert diagnostics_for(report, "app/self.rb", "skipped")


def test_symlinks_out_of_the_repository_are_not_followed(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    (root / "app" / "etc").symlink_to("/etc")
    (root / "app" / "models").mkdir(parents=True)
    (root / "app" / "models" / "passwd.rb").symlink_to("/etc/passwd")
    outside = tmp_path / "outside.rb"
    outside.write_text("class Secret; end\n")
    (root / "app" / "models" / "secret.rb").symlink_to(outside)
    run = analyse(root)
    assert not [p for p in run.project.files if p.startswith("app/etc")]
    assert "app/models/passwd.rb" not in run.project.files
    assert "app/models/secret.rb" not in run.project.files
    assert not run.index.class_defs("Secret")
    assert diagnostics_for(run.report, "app/models/passwd.rb", "skipped")
    assert diagnostics_for(run.report, "app/etc", "skipped")


def test_symlink_inside_the_repository_is_followed(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", {"lib/real.rb": "class Real; end\n"})
    (root / "app" / "models").mkdir(parents=True)
    (root / "app" / "models" / "linked.rb").symlink_to(root / "lib" / "real.rb")
    run = analyse(root)
    assert "app/models/linked.rb" in run.project.files


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    root = write_app(tmp_path / "app")
    os.mkfifo(root / "app" / "pipe.rb")
    grade_ok(root)


def test_fifty_megabyte_file_hits_the_size_limit(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    big = root / "app" / "models" / "huge.rb"
    big.parent.mkdir(parents=True)
    with big.open("wb") as fh:  # sparse: instant, and no disk is used
        fh.truncate(50 * 1024 * 1024)
    report = grade_ok(root)
    assert any("limit" in m for m in diagnostics_for(report, "app/models/huge.rb", "limit"))


def test_limits_are_configurable_and_reported(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    small = grade_ok(root, Options(limits=Limits(max_file_bytes=100)))
    assert diagnostics_for(small, "app/controllers/chats_controller.rb", "limit")
    few = grade_ok(root, Options(limits=Limits(max_files=3)))
    assert [d for d in few.diagnostics if d.kind == "limit" and "3 files" in d.message]


def test_file_with_nul_bytes_is_analysed_as_far_as_it_is_read(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", {
        "app/models/blob.rb": b"class Blob\n\x00\x01\x02 def x; end\nend\n",
        "app/models/tail.rb": b"class Tail\nend\n\x00\x01\x02 class Dead; def x; end; end\n",
        "app/views/chats/_blob.html.erb": b"<%= x %>\x00",
        "app/javascript/controllers/blob_controller.js": b"\x00" * 10,
    })
    run = analyse(root)
    renders(run.report)
    # a NUL in the middle of the code: what Ruby reads cannot load, so nothing is cut
    assert any("middle of its code" in m for m in diagnostics_for(run.report, "app/models/blob.rb"))
    assert run.index.methods_of("Blob")
    # a NUL after complete code: Ruby never reads what follows, and neither does the index
    assert any("Ruby stops reading" in m for m in diagnostics_for(run.report, "app/models/tail.rb"))
    assert run.index.class_defs("Tail") and not run.index.class_defs("Dead")
    for path in ("app/views/chats/_blob.html.erb", "app/javascript/controllers/blob_controller.js"):
        assert any("NUL" in m for m in diagnostics_for(run.report, path, "encoding")), path


def test_invalid_utf8_is_reported_and_the_rest_is_analysed(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", {
        "app/models/latin.rb": b"class Latin\n  NAME = \"caf\xe9\"\n  def hello; end\nend\n",
    })
    run = analyse(root)
    assert diagnostics_for(run.report, "app/models/latin.rb", "encoding")
    assert run.index.methods_of("Latin")


def test_hundred_thousand_line_ruby_file(tmp_path: Path) -> None:
    body = "".join(f"  def m{i}(a) = a + {i}\n" if i % 10 == 0 else "  # note\n"
                   for i in range(100_000))
    root = write_app(tmp_path / "app", {"app/models/long.rb": f"class Long\n{body}end\n"})
    run = analyse(root)
    assert len(run.index.methods_of("Long")) == 10_000
    renders(run.report)


NESTED_SOURCES = {
    "call_arguments": ("app/models/deep.rb", "x = " + "a(" * DEPTH + "1" + ")" * DEPTH + "\n"),
    "arrays": ("app/models/deep.rb", "x = " + "[" * DEPTH + "]" * DEPTH + "\n"),
    "hashes": ("app/models/deep.rb", "x = " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n"),
    "begin_rescue": ("app/models/deep.rb", "begin\n" * DEPTH + "RubyLLM.chat.ask('x')\n"
                     + "rescue => e\nend\n" * DEPTH),
    "ifs": ("app/models/deep.rb", "class Deep\n  def go\n" + "if x\n" * DEPTH
            + "RubyLLM.chat.ask('x')\n" + "end\n" * DEPTH + "  end\nend\n"),
    "blocks": ("app/models/deep.rb", "items.each do |i|\n" * BLOCK_DEPTH
               + "RubyLLM.chat.ask(i)\n" + "end\n" * BLOCK_DEPTH),
    "binary_operators": ("app/models/deep.rb", "x = " + " + ".join(["a"] * DEPTH) + "\n"),
    "unclosed": ("app/models/deep.rb", "class Deep\n  def go\n" + "foo(" * DEPTH + "\n"),
    "erb": ("app/views/chats/deep.html.erb", "<%= " + "f(" * DEPTH + ")" * DEPTH + " %>\n"
            + "<div>" * DEPTH + "\n" + "<% if x %>\n" * 2000 + "<% end %>\n" * 2000),
    "javascript": ("app/javascript/controllers/deep_controller.js",
                   "const x = " + "[" * DEPTH + "]" * DEPTH + ";\n" + "f(" * DEPTH + ")" * DEPTH),
}


@pytest.mark.parametrize("shape", sorted(NESTED_SOURCES))
def test_twenty_thousand_levels_of_nesting(tmp_path: Path, shape: str) -> None:
    path, source = NESTED_SOURCES[shape]
    root = write_app(tmp_path / "app", {path: source})
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(1000)  # any recursive walk over the tree fails loudly here
        report = grade_ok(root)
    finally:
        sys.setrecursionlimit(limit)
    assert report.dimensions


def test_long_method_chain(tmp_path: Path) -> None:
    # A receiver chain nests one level per call. Kept at 2,000 links here (under a second at
    # 20,000 now that analysis/api_checks.py _guarded climbs only in files that hold
    # defined? or respond_to?); benchmarks/hostile.py grades the full size
    # (docs/performance.md).
    chain = "RubyLLM.chat" + ".with_temperature(0)" * 2_000 + ".ask('hi')\n"
    source = f"class Chain\n  def go\n{chain}  end\nend\n"
    root = write_app(tmp_path / "app", {"app/models/chain.rb": source})
    grade_ok(root)


def test_names_with_spaces_and_unicode(tmp_path: Path) -> None:
    names = {
        "app/models/with space.rb": "class WithSpace\n  def go; end\nend\n",
        "app/models/ünïcødé_名前.rb": "class Named\n  def 名前; end\nend\n",
        "app/views/chats folder/ünï cødé.html.erb": "<%= link_to 'ok', root_path %>\n",
        "app/javascript/controllers/émoji 🎉_controller.js": "export default class {}\n",
    }
    root = write_app(tmp_path / "app", names)
    run = analyse(root)
    for name in names:
        assert name in run.project.files, name
    assert run.index.methods_of("Named")
    renders(run.report)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    folder = os.fsencode(root / "app" / "models")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, b"bad\xff\xfe.rb"), "wb") as fh:
        fh.write(b"class (\n")  # a parse error, so the odd path reaches a diagnostic
    report = grade_ok(root)
    assert any(d.path and d.path.startswith("app/models/bad") for d in report.diagnostics)


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def test_unreadable_file_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_app(tmp_path / "app", {"app/models/secret.rb": "class Secret; end\n"})
    target = root / "app" / "models" / "secret.rb"
    if _as_root():
        # root reads anything: simulate the permission error where the file is read.
        real = Path.read_bytes

        def deny(self: Path) -> bytes:
            if self == target:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", deny)
    else:
        target.chmod(0)
    try:
        report = grade_ok(root)
    finally:
        target.chmod(0o644)
    assert any("unreadable" in m for m in diagnostics_for(report, "app/models/secret.rb"))


@pytest.mark.skipif(_as_root(), reason="permissions do not apply to root")
def test_unreadable_folder_is_a_diagnostic(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", {"app/locked/inner.rb": "class Inner; end\n"})
    locked = root / "app" / "locked"
    locked.chmod(0)
    try:
        report = grade_ok(root)
    finally:
        locked.chmod(0o755)
    assert any(d.path and d.path.startswith("app/locked") for d in report.diagnostics)


def test_source_file_that_vanishes_or_is_denied(tmp_path: Path) -> None:
    missing = SourceFile(path="gone.rb", abspath=tmp_path / "gone.rb", size=0, kind="ruby")
    assert missing.text == ""
    assert missing.diagnostics and missing.diagnostics[0].kind == "skipped"


def test_empty_repository(tmp_path: Path) -> None:
    report = grade_ok(tmp_path)
    assert [d for d in report.diagnostics if d.kind == "project"]
    assert not report.findings


def test_repository_that_is_only_a_gemfile(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Gemfile": 'source "https://rubygems.org"\ngem "ruby_llm"\n'})
    report = grade_ok(tmp_path)
    assert [d for d in report.diagnostics if d.kind == "project"]


def test_directory_named_like_a_ruby_file(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    (root / "app" / "models" / "thing.rb").mkdir(parents=True)
    grade_ok(root)


def test_bad_paths_raise_project_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError):
        analyse(tmp_path / "missing")
    (tmp_path / "file.rb").write_text("x")
    with pytest.raises(ProjectError):
        analyse(tmp_path / "file.rb")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_work_tree_lists_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", {
        ".gitignore": "/ignored/\n*.secret.rb\n",
        "ignored/hidden.rb": "class Hidden; end\n",
        "app/models/key.secret.rb": "class Key; end\n",
    })
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init")
    write_tree(root, {"app/models/untracked.rb": "class Untracked; end\n"})
    (root / "Dockerfile").unlink()  # deleted in the work tree but still tracked
    run = analyse(root)
    files = set(run.project.files)
    assert run.project.is_git
    assert "app/controllers/chats_controller.rb" in files
    assert "app/models/untracked.rb" in files
    assert "ignored/hidden.rb" not in files
    assert "app/models/key.secret.rb" not in files
    assert not [p for p in files if p.startswith(".git/")]
    assert "Dockerfile" not in files


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_repository_git_config_never_runs_a_command(tmp_path: Path) -> None:
    # ``core.fsmonitor`` names a command git runs while reading the index; listing the
    # files of an analysed repository must not execute anything it configures.
    root = write_app(tmp_path / "app")
    marker = tmp_path / "executed"
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init")
    git("config", "core.fsmonitor", f"touch {marker}; echo")
    run = analyse(root)
    assert run.project.is_git
    assert not marker.exists()
