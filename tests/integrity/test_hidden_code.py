"""Hidden code never raises a grade: NUL bytes, padding, size, count, permissions, encodings.

Ruby reads a source file up to a NUL (or ^D, ^Z) where a token would start; inside
a comment or a literal the byte is content (checked against CRuby below when a
``ruby`` is installed; nothing else here needs one). rubygrade analyses what Ruby
reads, parses app code over the size limit up to a hard ceiling, and reports any
code file no rule could analyse as RG113, whose rubric ceiling (0) keeps the total
from rising.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rubygrade.cli import main
from rubygrade.engine import Options, grade
from rubygrade.models import Report
from rubygrade.project import Limits
from rubygrade.sources import ruby_script_end

from .conftest import SERVICE, add_dsl_call, grade_json

PAD = b"# padding\n"


def _rules(report: Report, rule: str) -> list[int]:
    return [f.line for f in report.findings if f.rule_id == rule and not f.suppressed]


def _messages(report: Report, path: str) -> list[str]:
    return [d.message for d in report.diagnostics if d.path == path]


@pytest.fixture
def bad_app(miniapp: Path) -> Iterator[tuple[Path, Report]]:
    """The mini app with the invented ``chat.user "hi"`` (RG201), and its honest grade."""
    add_dsl_call(miniapp)
    report = grade(miniapp)
    assert _rules(report, "RG201") and report.total > 0
    yield miniapp, report


def _rewrite(app: Path, change: Any) -> None:
    file = app / SERVICE
    file.write_bytes(change(file.read_bytes()))


def test_a_trailing_nul_never_raises_the_grade(bad_app: tuple[Path, Report]) -> None:
    app, before = bad_app
    _rewrite(app, lambda data: data + b"\x00")
    after = grade(app)
    assert after.total <= before.total and _rules(after, "RG201") == _rules(before, "RG201")
    assert any("Ruby stops reading" in m for m in _messages(after, SERVICE))


def test_a_nul_in_the_middle_of_the_code_hides_nothing(bad_app: tuple[Path, Report]) -> None:
    app, before = bad_app
    _rewrite(app, lambda data: data.replace(b'    chat.user "hi"', b'\x00\n    chat.user "hi"'))
    after = grade(app)
    assert after.total <= before.total and _rules(after, "RG201")
    assert any("middle of its code" in m for m in _messages(after, SERVICE))


def test_a_nul_inside_a_comment_or_string_is_read_past_as_ruby_does(bad_app: tuple[Path, Report]) -> None:
    app, before = bad_app
    _rewrite(app, lambda data: data.replace(b'    chat.user "hi"',
                                            b'    # note \x00 x\n    s = "a\x00b"\n    chat.user "hi"'))
    after = grade(app)
    assert after.total <= before.total and _rules(after, "RG201")
    assert any("inside comments or literals" in m for m in _messages(after, SERVICE))


def test_what_follows_the_end_of_the_script_is_not_analysed(miniapp: Path) -> None:
    clean = grade(miniapp)
    (miniapp / "app/models").mkdir(parents=True, exist_ok=True)
    (miniapp / "app/models/note.rb").write_bytes(
        b"class Note\nend\n\x00\nclass Dead\n  def x = RubyLLM.chat.user('hi')\nend\n")
    after = grade(miniapp)
    assert not _rules(after, "RG201") and after.total == clean.total
    assert any("never read by Ruby" in m for m in _messages(after, "app/models/note.rb"))


def test_padding_past_the_size_limit_never_raises_the_grade(bad_app: tuple[Path, Report]) -> None:
    app, before = bad_app
    limit = Limits().max_file_bytes
    _rewrite(app, lambda data: PAD * (limit // len(PAD) + 1) + data)
    assert (app / SERVICE).stat().st_size > limit
    after = grade(app)
    assert after.total <= before.total and len(_rules(after, "RG201")) == len(_rules(before, "RG201"))
    assert any("parsed anyway" in m for m in _messages(after, SERVICE))
    assert not after.ceilings


def test_code_over_the_hard_ceiling_caps_the_total(bad_app: tuple[Path, Report],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    app, before = bad_app
    limits = Limits(max_file_bytes=1000)
    assert grade(app, Options(limits=limits)).total == before.total  # every file under 8000 bytes
    _rewrite(app, lambda data: PAD * 900 + data)
    after = grade(app, Options(limits=limits))
    assert after.total == 0 <= before.total and after.tier == "D"
    [finding] = [f for f in after.findings if f.rule_id == "RG113"]
    assert finding.path == SERVICE and "hard ceiling" in finding.message
    [ceiling] = after.ceilings
    assert ceiling.source == "RG113" and ceiling.locations == [f"{SERVICE}:1"]
    assert round(sum(d.score for d in after.dimensions) + ceiling.points, 2) == after.total
    assert main(["grade", str(app), "--max-file-bytes", "1000"]) == 0
    text = capsys.readouterr().out
    assert "ceiling RG113" in text and "tier D" in text


def test_an_unreadable_source_file_caps_the_total(bad_app: tuple[Path, Report],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    app, before = bad_app
    target, real = app / SERVICE, Path.read_bytes

    def deny(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)  # also what root sees as a chmod 000 file
    after = grade(app)
    assert after.total == 0 <= before.total
    assert [f.message for f in after.findings if f.rule_id == "RG113"] == \
        [f"The source file {SERVICE} was not analysed: unreadable: Permission denied."]


def test_an_unlistable_code_folder_caps_the_total(bad_app: tuple[Path, Report],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    app, before = bad_app
    real = os.walk

    def walk(top: str, **kwargs: Any) -> Iterator[tuple[str, list[str], list[str]]]:
        for dirpath, dirnames, filenames in real(top, **kwargs):
            if dirpath.endswith(os.path.join("", "app", "services")):  # as os.walk reports a
                # folder it cannot list (a chmod 000 folder, which root could still read)
                kwargs["onerror"](PermissionError(13, "Permission denied", dirpath))
                continue
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(os, "walk", walk)
    after = grade(app)
    assert after.total == 0 <= before.total
    [finding] = [f for f in after.findings if f.rule_id == "RG113"]
    assert finding.path == "app/services" and "folder unreadable" in finding.message


def test_code_beyond_the_file_count_limit_caps_the_total(bad_app: tuple[Path, Report]) -> None:
    app, before = bad_app
    after = grade(app, Options(limits=Limits(max_files=4)))
    assert after.app_root == "" and after.total == 0 <= before.total
    hidden = {f.path for f in after.findings if f.rule_id == "RG113"}
    assert SERVICE in hidden and "config/application.rb" in hidden


def test_an_undecodable_code_file_caps_the_total(bad_app: tuple[Path, Report]) -> None:
    app, before = bad_app
    _rewrite(app, lambda data: bytes(range(0x80, 0x100)) * 20 + data)
    after = grade(app)
    assert after.total == 0 <= before.total
    assert any(f.rule_id == "RG113" and "not text" in f.message for f in after.findings)


def test_a_few_nul_bytes_in_a_text_file_hide_nothing(miniapp: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (miniapp / ".env").write_bytes(b"OPENROUTER_API_KEY=sk-or-v1-0123456789abcdef\n")
    plain = grade_json(miniapp, capsys)
    (miniapp / ".env").write_bytes(b"OPENROUTER_API_KEY=sk-or-v1-0123456789abcdef\n\x00")
    nul = grade_json(miniapp, capsys)
    assert nul["total"] == plain["total"]
    assert [f for f in nul["findings"] if f["path"] == ".env"] == \
        [f for f in plain["findings"] if f["path"] == ".env"]


RUBY_CASES = [
    (b'puts "before"\n\x00\nputs "after"\n', 14),
    (b'puts "before" # c \x00 x\nputs "after"\n', None),
    (b'x = "a\x00b"\nputs "after"\n', None),
    (b'puts "before"\x00', 13),
    (b'puts "x"\x00puts "after"\n', 8),
    (b'puts <<~EOS\n  a\x00b\nEOS\nputs "after"\n', None),
    (b'puts "before"\n\x04\nputs "after"\n', 14),
    (b'puts "before"\n\x1a\nputs "after"\n', 14),
    (b'=begin\n\x00\n=end\nputs "after"\n', None),
    (b'x = %w[a \x00 b]\nputs "after"\n', None),
    (b'x = /a\x00b/\nputs "after"\n', None),
    (b'x = "#{\x00}"\nputs "after"\n', 7),
]


@pytest.mark.parametrize(("source", "end"), RUBY_CASES, ids=[repr(c[0])[:40] for c in RUBY_CASES])
def test_where_ruby_stops_reading(source: bytes, end: int | None) -> None:
    assert ruby_script_end(source) == end


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ruby") is None, reason="no ruby to compare with")
@pytest.mark.parametrize(("source", "end"), RUBY_CASES, ids=[repr(c[0])[:40] for c in RUBY_CASES])
def test_where_ruby_stops_reading_agrees_with_cruby(tmp_path: Path, source: bytes,
                                                    end: int | None) -> None:
    """Our own probe scripts (never the analysed repository) run by CRuby."""
    script = tmp_path / "probe.rb"
    script.write_bytes(source)
    ran = subprocess.run(["ruby", str(script)], capture_output=True, timeout=30, check=False)
    read_after = b"after" in ran.stdout
    assert read_after == (end is None), (ran.stdout, ran.stderr)
