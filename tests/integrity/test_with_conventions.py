"""Grade changes under the command-line conventions: rule selection, baselines, ``--config``,
directive diagnostics, disabled rules that crash, and the HTML leaderboard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rubygrade.cli import main
from rubygrade.render import html

from .conftest import SERVICE, add_dsl_call, edit, grade_json


def test_select_and_ignore_are_one_selection_change(miniapp: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    clean = grade_json(miniapp, capsys)
    rg404 = sum(1 for f in clean["findings"] if f["rule_id"] == "RG404")
    assert rg404

    ignored = grade_json(miniapp, capsys, "--ignore", "RG404")
    [change] = ignored["grade_changes"]
    assert (change["kind"], change["source"], change["rule_id"]) == ("selection", "command_line", "RG404")
    assert change["detail"] == (f"--select/--ignore: 1 rule(s) not run, {rg404} finding(s) dropped "
                                f"(RG404 {rg404})")
    assert ignored["comparable"] is False and ignored["total"] > clean["total"]

    selected = grade_json(miniapp, capsys, "--select", "RG2")  # dozens of rules left out: one change
    [change] = selected["grade_changes"]
    assert change["kind"] == "selection" and change["rule_id"] is None
    assert "RG404" in change["detail"] and selected["comparable"] is False

    nothing = grade_json(miniapp, capsys, "--ignore", "RG111")  # drops nothing: recorded, comparable
    assert [c["kind"] for c in nothing["grade_changes"]] == ["selection"]
    assert nothing["comparable"] is True and nothing["total"] == clean["total"]


def test_a_baseline_is_a_grade_change(miniapp: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    stored = tmp_path / "baseline.json"
    assert main(["grade", str(miniapp), "-f", "json", "-o", str(stored)]) == 0
    clean = json.loads(stored.read_text(encoding="utf-8"))
    adopted = grade_json(miniapp, capsys, "--baseline", str(stored))
    assert all(f["in_baseline"] for f in adopted["findings"])
    [change] = adopted["grade_changes"]
    assert (change["kind"], change["source"]) == ("baseline", "command_line")
    assert change["detail"] == (f"--baseline baseline.json: {len(clean['findings'])} finding(s) already "
                                "in it suppressed")
    assert adopted["comparable"] is False and adopted["total"] > clean["total"]
    text = capsys.readouterr().out if main(["grade", str(miniapp), "--baseline", str(stored)]) == 0 else ""
    assert "command-line baseline: --baseline baseline.json" in text


def test_a_config_file_given_on_the_command_line_is_the_callers(miniapp: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    (miniapp / ".rubygrade.toml").write_text('exclude = ["app/"]\n', encoding="utf-8")
    honoured = grade_json(miniapp, capsys)
    assert {(c["source"], c["kind"], c["path"]) for c in honoured["grade_changes"]} == \
        {("repository", "exclude", ".rubygrade.toml")}

    ci = tmp_path / "ci.toml"
    ci.write_text('disable = ["RG404"]\n', encoding="utf-8")
    given = grade_json(miniapp, capsys, "--config", str(ci))
    [change] = given["grade_changes"]
    assert (change["source"], change["kind"], change["rule_id"], change["path"]) == \
        ("command_line", "disabled_rules", "RG404", None)
    assert any(d["kind"] == "config" and d["path"] == ".rubygrade.toml" and "not applied" in d["message"]
               for d in given["diagnostics"])

    ignored = grade_json(miniapp, capsys, "--no-config")
    assert ignored["grade_changes"] == [] and ignored["comparable"] is True
    assert any(d["kind"] == "config" and d["path"] == ".rubygrade.toml" for d in ignored["diagnostics"])


def test_directive_diagnostics_read_only_real_comments(miniapp: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    edit(miniapp, SERVICE, "    response = chat.ask(prompt)",
         '    label = "# rubygrade:disable RG999 in a string"\n'
         "    # rubygrade:disable RG998 in a comment\n"
         "    response = chat.ask(prompt)")
    report = grade_json(miniapp, capsys)
    found = [d["message"] for d in report["diagnostics"] if d["kind"] == "config" and d["path"] == SERVICE]
    assert found == ["rubygrade:disable RG998: unknown rule ID RG998; it suppresses nothing"]


@pytest.mark.internal_diagnostics
def test_a_disabled_rule_that_crashes_is_no_internal_error(miniapp: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from rubygrade.selection import find_rule

    rule = find_rule("RG404")
    assert rule is not None

    def crash(self: object, ctx: object) -> None:
        raise ValueError("unexpected input")

    monkeypatch.setattr(rule, "check", crash)
    crashed = grade_json(miniapp, capsys)
    assert any(d["kind"] == "internal" and d["message"].startswith("RG404 ") for d in crashed["diagnostics"])
    ignored = grade_json(miniapp, capsys, "--ignore", "RG404")
    assert not any(d["kind"] == "internal" for d in ignored["diagnostics"])
    [change] = ignored["grade_changes"]
    assert change["detail"].endswith("; RG404 failed, so what they find is unknown")
    (miniapp / ".rubygrade.toml").write_text('disable = ["RG404"]\n', encoding="utf-8")
    configured = grade_json(miniapp, capsys)
    [change] = configured["grade_changes"]
    assert change["detail"] == "RG404 disabled: it failed, so what it finds is unknown"


def test_the_html_leaderboard_names_what_changed_each_grade(miniapp: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    shutil.copytree(miniapp, results / "plain")
    shutil.copytree(miniapp, results / "self-graded")
    add_dsl_call(results / "self-graded", above="    # rubygrade:disable RG201 trust me\n")
    out = tmp_path / "lines.jsonl"

    assert main(["batch", str(results), "-q", "--out", str(out)]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    page = html.render_leaderboard(lines)
    assert "Changed by" not in page and 'id="not-comparable"' not in page

    assert main(["batch", str(results), "-q", "--use-repo-config", "--out", str(out)]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    page = html.render_leaderboard(lines)
    assert ">Changed by</th>" in page and 'id="not-comparable"' in page
    assert '<td class="changed wrap small" data-value="repository suppression">repository suppression</td>' \
        in page
    assert '<td class="changed wrap small" data-value=""></td>' in page  # the plain copy
    assert '<span class="flag" title="repository suppression">not comparable</span>' in page


def test_the_html_report_shows_a_rule_ceiling(miniapp: Path) -> None:
    from rubygrade.engine import grade
    from rubygrade.render import render

    (miniapp / SERVICE).write_bytes(bytes(range(0x80, 0x100)) * 20 + (miniapp / SERVICE).read_bytes())
    report = grade(miniapp)
    [ceiling] = report.ceilings
    assert ceiling.source == "RG113" and report.total == 0
    page = render(report, "html")
    assert '<p class="counts" id="ceiling-1">Ceiling <b>RG113</b>: ' in page
    assert "points on the total" in page


def test_config_naming_the_repositorys_own_file_is_applied_without_a_note(
        miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (miniapp / ".rubygrade.toml").write_text('disable = ["RG404"]\n', encoding="utf-8")
    given = grade_json(miniapp, capsys, "--config", str(miniapp / ".rubygrade.toml"))
    assert [(c["source"], c["rule_id"]) for c in given["grade_changes"]] == [("command_line", "RG404")]
    assert not any("not applied" in d["message"] for d in given["diagnostics"])
