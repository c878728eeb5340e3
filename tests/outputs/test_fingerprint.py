"""Finding fingerprints: rule, path and normalised flagged source; never message or line number."""

from __future__ import annotations

import shutil
from pathlib import Path

from rubygrade import fingerprint, grade
from rubygrade.models import Dimension, Finding, Severity

MINIAPP = Path(__file__).parents[1] / "fixtures" / "apps" / "miniapp"


def _f(line: int, message: str = "m", path: str = "app/x.rb", rule: str = "RG401",
       column: int = 1) -> Finding:
    return Finding(rule_id=rule, dimension=Dimension.ERRORS, severity=Severity.ERROR, message=message,
                   path=path, line=line, column=column)


def _prints(findings: list[Finding], lines: list[str]) -> list[str]:
    return [f.fingerprint for f in fingerprint.assign(findings, lambda _p: lines)]


def test_moving_code_or_rewording_keeps_the_fingerprint() -> None:
    code = ["class X", "  def a", "    chat.ask(x)", "  end", "end"]
    [before] = _prints([_f(3, "old message")], code)
    [moved] = _prints([_f(5, "new message")], ["# one", "# two", *code])
    [reindented] = _prints([_f(3)], ["class X", "def a", "\tchat.ask(x)  ", "end", "end"])
    assert before == moved == reindented and len(before) == 32


def test_rule_path_and_source_change_it() -> None:
    code = ["chat.ask(x)", "chat.ask(y)"]
    base = _prints([_f(1)], code)
    assert base != _prints([_f(1, rule="RG402")], code)
    assert base != _prints([_f(1, path="app/y.rb")], code)
    assert base != _prints([_f(2)], code)


def test_identical_lines_in_one_file_do_not_collide() -> None:
    code = ["chat.ask(x)", "other", "chat.ask(x)"]
    first, second = _prints([_f(1), _f(3)], code)
    assert first != second
    # the order of the input does not matter: occurrences are counted in report order
    assert _prints([_f(3), _f(1)], code) == [second, first]


def test_fingerprints_are_deterministic_across_copies(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(MINIAPP, copy)
    one, two = grade(MINIAPP), grade(copy)
    assert [f.fingerprint for f in one.findings] == [f.fingerprint for f in two.findings]
    prints = [f.fingerprint for f in one.findings]
    assert all(prints) and len(set(prints)) == len(prints)


def test_stored_reports_without_fingerprints_get_them_from_snippets() -> None:
    code = ["  chat.ask(x)  "]
    [engine] = fingerprint.assign([_f(1)], lambda _p: code)
    stored = _f(1).model_copy(update={"snippet": "chat.ask(x)"})
    assert fingerprint.of([stored]) == [engine.fingerprint]
