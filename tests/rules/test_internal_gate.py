"""The internal-diagnostic gate of tests/conftest.py fails a test whose grading crashed a rule."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
TESTS = Path(__file__).parents[1]

_CRASHING = '''
import pytest
from appkit import write_app

from rubygrade.checks.base import rule_by_id
from rubygrade.cli import main
from rubygrade.engine import grade


@pytest.fixture
def crashing_rg104(monkeypatch):
    def boom(self, ctx):
        raise KeyError("synthetic")
    monkeypatch.setattr(rule_by_id("RG104"), "check", boom)


def test_in_process(tmp_path, crashing_rg104):
    grade(write_app(tmp_path, {}))


def test_in_a_batch_worker(tmp_path, monkeypatch):
    # A batch grades in fresh interpreters (rubygrade.worker), which a monkeypatch here
    # does not reach: the crash is planted in them through sitecustomize.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(site))
    write_app(tmp_path / "apps" / "one", {})
    main(["batch", str(tmp_path / "apps"), "-q", "--jobs", "2", "--out", str(tmp_path / "r.jsonl")])


@pytest.mark.internal_diagnostics
def test_on_purpose(tmp_path, crashing_rg104):
    report = grade(write_app(tmp_path, {}))
    assert any(d.kind == "internal" for d in report.diagnostics)


def test_clean(tmp_path):
    grade(write_app(tmp_path, {}))


_SITECUSTOMIZE = """
from rubygrade.checks.base import rule_by_id

def boom(self, ctx):
    raise KeyError("synthetic")

rule_by_id("RG104").check = boom
"""
'''


@pytest.mark.slow
def test_a_crash_fails_the_test_unless_it_is_marked(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((TESTS / "conftest.py").read_text(encoding="utf-8").replace(
        "sys.path.insert(0, str(Path(__file__).parent))", f"sys.path.insert(0, {str(TESTS)!r})"))
    pytester.makeini("[pytest]\nmarkers =\n    internal_diagnostics: on purpose\n")
    pytester.makepyfile(test_crash=_CRASHING)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(["*internal diagnostics (a rule or collector crashed)*",
                                 "*RG104 failed and was skipped: KeyError: 'synthetic'*"])
    errors = [line for line in result.stdout.lines if line.startswith("ERROR ")]
    assert sorted(e.split("::")[1].split()[0] for e in errors) == ["test_in_a_batch_worker",
                                                                    "test_in_process"]
