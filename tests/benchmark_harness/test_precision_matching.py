"""The precision harness's matching, tabulation and recall logic, on hand-made data.

benchmarks/precision.py is a benchmark script (it grades real apps); only its pure
parts are tested here, so no corpus is needed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "precision.py"
_SPEC = importlib.util.spec_from_file_location("precision_harness", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
precision = importlib.util.module_from_spec(_SPEC)
sys.modules["precision_harness"] = precision
_SPEC.loader.exec_module(precision)

Item, Verdict, Fact = precision.Item, precision.Verdict, precision.Fact


def item(app: str = "a", rule: str = "RG401", path: str = "app/x.rb", line: int = 10,
         confidence: str = "high") -> Item:
    return Item(app=app, rule=rule, path=path, line=line, confidence=confidence)


def verdict(app: str = "a", rule: str = "RG401", path: str = "app/x.rb", line: int = 10,
            ok: bool = True) -> Verdict:
    return Verdict(app=app, rule=rule, path=path, line=line, verdict=ok, reason="r")


def fact(app: str = "a", rule: str = "RG401", path: str = "app/x.rb", line: int = 10) -> Fact:
    return Fact(app=app, rule=rule, path=path, line=line)


def row(result: precision.Result, rule: str) -> precision.Row:
    return next(r for r in result.rows if r.rule == rule)


class TestVerdicts:
    def test_a_verdict_meets_its_finding_by_app_rule_path_line(self) -> None:
        found = item(line=10)
        other = item(line=11)
        matched, stale = precision.match_verdicts([found, other], [verdict(line=10)], ["a"])
        assert matched[found] == verdict(line=10)
        assert matched[other] is None
        assert stale == []

    def test_each_part_of_the_key_counts(self) -> None:
        found = item()
        for v in (verdict(app="b"), verdict(rule="RG801"), verdict(path="app/y.rb"), verdict(line=9)):
            matched, _ = precision.match_verdicts([found], [v], ["a", "b"])
            assert matched[found] is None

    def test_one_verdict_covers_every_finding_on_its_line(self) -> None:
        first = Item(app="a", rule="RG801", path="v.erb", line=3, column=5)
        second = Item(app="a", rule="RG801", path="v.erb", line=3, column=40)
        v = verdict(rule="RG801", path="v.erb", line=3)
        matched, stale = precision.match_verdicts([first, second], [v], ["a"])
        assert matched[first] == matched[second] == v
        assert stale == []

    def test_a_verdict_without_a_finding_is_stale_only_for_a_graded_app(self) -> None:
        left = [verdict(app="a", line=99), verdict(app="b", line=1)]
        _, stale = precision.match_verdicts([item()], left, ["a"])
        assert stale == [verdict(app="a", line=99)]


class TestFacts:
    def test_the_finding_may_sit_on_the_chain_start_up_to_three_lines_away(self) -> None:
        hit = item(line=12)
        assert precision.match_facts([hit], [fact(line=15)])[fact(line=15)] == hit
        assert precision.match_facts([hit], [fact(line=16)])[fact(line=16)] is None

    def test_same_app_rule_and_path_are_required(self) -> None:
        for other in (item(app="b"), item(rule="RG801"), item(path="app/y.rb")):
            assert precision.match_facts([other], [fact()])[fact()] is None

    def test_one_finding_meets_one_fact_the_closest_first(self) -> None:
        only = item(line=10)
        near, far = fact(line=10), fact(line=12)
        matched = precision.match_facts([only], [far, near])
        assert matched[near] == only
        assert matched[far] is None

    def test_two_findings_meet_two_adjacent_facts(self) -> None:
        first, second = item(line=10), item(line=11)
        matched = precision.match_facts([second, first], [fact(line=10), fact(line=11)])
        assert matched[fact(line=10)] == first
        assert matched[fact(line=11)] == second


class TestTabulate:
    def test_counts_precision_and_the_rg2xx_group(self) -> None:
        items = [item(rule="RG201", line=1), item(rule="RG202", line=2), item(rule="RG202", line=3),
                 item(rule="RG401", line=4), item(rule="RG103", line=5)]
        verdicts = [verdict(rule="RG201", line=1, ok=True), verdict(rule="RG202", line=2, ok=False)]
        result = precision.tabulate("dev", items, verdicts, [], ["a"])
        group, rg202 = row(result, "RG2xx"), row(result, "RG202")
        assert (group.scored, group.true, group.false, group.unjudged) == (3, 1, 1, 1)
        assert group.precision == 0.5
        assert (rg202.scored, rg202.false, rg202.unjudged, rg202.precision) == (2, 1, 1, 0.0)
        assert row(result, "RG401").precision is None  # nothing judged yet
        assert [r.rule for r in result.rows] == list(precision.ROWS)  # RG103 is not a table rule
        assert {(i.rule, i.line) for i in result.unjudged} == {("RG202", 3), ("RG401", 4)}
        assert [(i.rule, v.rule) for i, v in result.judged_false] == [("RG202", "RG202")]

    def test_low_confidence_findings_are_counted_apart(self) -> None:
        items = [item(line=1), item(line=2, confidence="low"), item(line=3, confidence="medium")]
        verdicts = [verdict(line=2, ok=False)]
        r = row(precision.tabulate("dev", items, verdicts, [], ["a"]), "RG401")
        assert (r.scored, r.unjudged) == (2, 2)
        assert (r.low, r.low_true, r.low_false, r.low_unjudged) == (1, 0, 1, 0)
        assert r.precision is None

    def test_recall_counts_scored_findings_and_names_the_misses(self) -> None:
        items = [item(line=10), item(line=40, confidence="low")]
        facts = [fact(line=12), fact(line=40), fact(line=70), fact(app="other", line=1)]
        result = precision.tabulate("dev", items, [], facts, ["a"])
        r = row(result, "RG401")
        assert (r.facts, r.found, r.found_low, r.recall) == (3, 1, 1, 0.333)
        assert result.misses == [fact(line=40), fact(line=70)]
        assert [(f.line, i.line) for f, i in result.found_low_only] == [(40, 40)]
        assert row(result, "RG801").facts is None  # no hand facts: no recall column

    def test_the_text_output_is_deterministic(self) -> None:
        items = [item(line=3), item(rule="RG801", line=1), item(line=1)]
        one = precision.render_text([precision.tabulate("dev", items, [], [fact()], ["a"])], True)
        two = precision.render_text([precision.tabulate("dev", items[::-1], [], [fact()], ["a"])], True)
        assert one == two
        assert "RG2xx" in one and "recall misses (1)" in one


class TestFiles:
    def test_facts_are_the_unguarded_reached_calls_and_the_xss_sinks(self, tmp_path: Path) -> None:
        (tmp_path / "app1.toml").write_text(
            'app = "app1"\n'
            '[[llm_calls]]\npath = "a.rb"\nline = 1\nreached_from = "X#y"\nguarded = false\n'
            '[[llm_calls]]\npath = "b.rb"\nline = 2\nreached_from = ""\nguarded = false\n'
            '[[llm_calls]]\npath = "c.rb"\nline = 3\nreached_from = "X#z"\nguarded = true\n'
            '[[html_sinks]]\npath = "v.erb"\nline = 4\nxss = true\n'
            '[[html_sinks]]\npath = "w.erb"\nline = 5\nxss = false\n', encoding="utf-8")
        got = [(f.app, f.rule, f.path, f.line) for f in precision.read_facts([tmp_path])]
        assert got == [("app1", "RG401", "a.rb", 1), ("app1", "RG801", "v.erb", 4)]

    def test_verdict_files_are_checked(self, tmp_path: Path) -> None:
        entry = ('[[verdict]]\napp = "a"\nrule = "RG401"\npath = "x.rb"\nline = 1\n'
                 'verdict = true\nreason = "r"\n')
        good = tmp_path / "good.toml"
        good.write_text(entry, encoding="utf-8")
        assert precision.read_verdicts(good) == [Verdict("a", "RG401", "x.rb", 1, True, "r")]
        twice = tmp_path / "twice.toml"
        twice.write_text(entry * 2, encoding="utf-8")
        with pytest.raises(SystemExit, match="two verdicts"):
            precision.read_verdicts(twice)
        partial = tmp_path / "partial.toml"
        partial.write_text(entry.replace('reason = "r"\n', ""), encoding="utf-8")
        with pytest.raises(SystemExit, match="reason"):
            precision.read_verdicts(partial)
        assert precision.read_verdicts(tmp_path / "absent.toml") == []

    def test_corpus_lists_and_folders(self, tmp_path: Path) -> None:
        listing = tmp_path / "list.tsv"
        listing.write_text("repo\thead_commit\nowner/one\tx\n\nowner/two\tabc\n", encoding="utf-8")
        assert precision.read_list(listing) == [("owner/one", "x"), ("owner/two", "abc")]
        (tmp_path / "one").mkdir()
        (tmp_path / "owner__two").mkdir()
        assert precision.app_folder(tmp_path, "owner/one") == tmp_path / "one"
        assert precision.app_folder(tmp_path, "owner/two") == tmp_path / "owner__two"
        assert precision.app_folder(tmp_path, "owner/three") is None
