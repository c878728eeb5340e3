"""The shipped example app grades as its FLAWS.md says: each flaw found, each valid idiom left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import rubygrade

EXAMPLE = Path(__file__).parents[2] / "examples" / "chatapp"


@pytest.fixture(scope="module")
def report() -> rubygrade.Report:
    return rubygrade.grade(EXAMPLE)


def _at(report: rubygrade.Report, rule_id: str, path: str, line: int | None = None) -> bool:
    return any(f.rule_id == rule_id and f.path == path and (line is None or f.line == line)
               for f in report.findings)


@pytest.mark.parametrize(("rule_id", "path", "line"), [
    ("RG201", "app/services/title_suggester.rb", 19),   # response.text
    ("RG401", "app/services/title_suggester.rb", 18),   # ask with no rescue on its path
    ("RG801", "app/views/messages/_message.html.erb", 9),  # raw LLM output
    ("RG501", "app/services/title_suggester.rb", None),  # TITLES = {} process-local store
])
def test_each_deliberate_flaw_is_found(report: rubygrade.Report, rule_id: str, path: str,
                                       line: int | None) -> None:
    assert _at(report, rule_id, path, line), [
        (f.rule_id, f.path, f.line) for f in report.findings]


def test_missing_simplecov_is_the_only_missing_gem(report: rubygrade.Report) -> None:
    missing = [f for f in report.findings if f.rule_id == "RG106"]
    assert len(missing) == 1 and "simplecov" in missing[0].message


@pytest.mark.parametrize(("rule_ids", "path", "line"), [
    ({"RG201", "RG203"}, "app/services/chat_session.rb", 59),  # add_message braceless hash
    ({"RG204"}, "app/services/chat_session.rb", 39),  # real error classes
    ({"RG401"}, "app/services/chat_session.rb", 34),  # guarded by a method-level rescue
    ({"RG201", "RG203"}, "app/services/chat_session.rb", 55),  # RubyLLM.chat(model:, provider:)
])
def test_valid_idioms_are_not_reported(report: rubygrade.Report, rule_ids: set[str], path: str,
                                       line: int) -> None:
    noisy = [f for f in report.findings if f.rule_id in rule_ids and f.path == path and
             f.line == line]
    assert not noisy, noisy


def test_version_and_tier(report: rubygrade.Report) -> None:
    assert report.ruby_llm_version == "1.14.1"
    assert report.ruby_llm_locked == "1.14.1"
    assert report.tier in {"A", "B"}
    assert 60 <= report.total < 100
