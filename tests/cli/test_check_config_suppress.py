"""`rubygrade check`, repository configuration and inline suppressions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rubygrade.cli import main
from rubygrade.suppress import directives

from .conftest import add_dsl_call

SERVICE = "app/services/chat_service.rb"


def _json(app: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    assert main(["grade", str(app), "-f", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_check_reports_only_given_files_and_fails_on_errors(miniapp: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(miniapp)
    assert main(["check", SERVICE, "app/views/chats/show.html.erb"]) == 0
    out = capsys.readouterr().out
    assert out and all(line.startswith((SERVICE, "app/views/", "    fix:")) for line in out.splitlines())
    add_dsl_call(miniapp)
    assert main(["check", f"./{SERVICE}"]) == 1
    out = capsys.readouterr().out
    assert f"{SERVICE}:9:5: RG201 error `RubyLLM::Chat#user` does not exist" in out
    assert main(["check", "--root", str(miniapp), str(miniapp / "app/views/chats/show.html.erb")]) == 0


def test_inline_suppression_keeps_the_finding_but_not_its_points(miniapp: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    add_dsl_call(miniapp)
    before = _json(miniapp, capsys)
    service = miniapp / SERVICE
    text = service.read_text(encoding="utf-8")
    directive = "    # rubygrade:disable RG201 exercising the grader\n"
    service.write_text(text.replace('    chat.user "hi"', directive + '    chat.user "hi"'), encoding="utf-8")
    after = _json(miniapp, capsys)
    [finding] = [f for f in after["findings"] if f["rule_id"] == "RG201"]
    assert finding["suppressed"] is True
    assert finding["suppression_reason"] == "exercising the grader"
    gained = -sum(c["points"] for d in before["dimensions"] for c in d["breakdown"]
                  if c["source"].startswith("RG201"))
    assert after["total"] == pytest.approx(before["total"] + gained) and gained > 0
    assert main(["check", "--root", str(miniapp), SERVICE]) == 0
    capsys.readouterr()


def test_directive_syntax_in_each_language() -> None:
    found = directives([
        "x = 1 # rubygrade:disable RG401 flaky upstream",
        "<%# rubygrade:disable RG801, RG802 trusted HTML %>",
        "<%= raw @html %>",
        "  // rubygrade:disable RG601",
        "this.target.innerHTML = x",
        "/* rubygrade:disable all generated */",
        "# rubygrade:disable nothing-here",
    ])
    assert [d.rule_ids for d in found[1]] == [frozenset({"RG401"})] and found[1][0].reason == "flaky upstream"
    assert 2 not in found or all(not d.covers("RG401") for d in found[2])
    assert found[3][0].covers("RG802") and found[3][0].reason == "trusted HTML"
    assert found[5][0].covers("RG601") and found[5][0].reason == ""
    assert found[7][0].covers("RG999") and found[7][0].reason == "generated"
    assert 8 not in found or not any(d.line == 7 for d in found[8]) or found[8][0].covers("RG101")
    assert all(d.line != 7 for ds in found.values() for d in ds if "nothing" in d.reason)


def test_rubygrade_toml_disables_excludes_and_overrides(miniapp: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = _json(miniapp, capsys)
    assert {"RG404", "RG305"} <= {f["rule_id"] for f in before["findings"]}
    (miniapp / ".rubygrade.toml").write_text(
        'disable = ["RG404"]\nexclude = ["test/"]\n[severity]\nRG603 = "info"\n', encoding="utf-8")
    after = _json(miniapp, capsys)
    rules = {f["rule_id"] for f in after["findings"]}
    assert "RG404" not in rules
    assert not any(f["path"].startswith("test/") for f in after["findings"])
    assert {f["severity"] for f in after["findings"] if f["rule_id"] == "RG603"} == {"info"}
    ignored = _json(miniapp, capsys, "--no-config")
    notes = [d for d in ignored.pop("diagnostics") if d["kind"] == "config"]
    assert notes and notes[0]["path"] == ".rubygrade.toml"
    assert ignored == {k: v for k, v in before.items() if k != "diagnostics"}


def test_pyproject_tool_table_and_config_rubric(miniapp: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    rubric = (Path(__file__).parents[2] / "rules" / "rubric.toml").read_text(encoding="utf-8")
    (miniapp / "grading").mkdir()
    (miniapp / "grading" / "rubric.toml").write_text(rubric.replace("A = 80", "A = 50"), encoding="utf-8")
    (miniapp / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.rubygrade]\nrubric = "grading/rubric.toml"\n', encoding="utf-8")
    assert _json(miniapp, capsys)["tier"] == "A"


@pytest.mark.parametrize(("content", "message"), [
    ('disable = "RG101"\n', ".rubygrade.toml:1: key 'disable': Input should be a valid list"),
    ('plugins = ["evil"]\n', "key 'plugins': Extra inputs are not permitted"),
    ('rubric = "../../etc/rubric.toml"\n', "points outside the repository"),
    ("[severity]\nRG101 = \"fatal\"\n", ".rubygrade.toml:2: key 'severity.RG101'"),
])
def test_invalid_config_is_a_one_line_error(miniapp: Path, capsys: pytest.CaptureFixture[str],
                                            content: str, message: str) -> None:
    (miniapp / ".rubygrade.toml").write_text(content, encoding="utf-8")
    assert main(["grade", str(miniapp)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
