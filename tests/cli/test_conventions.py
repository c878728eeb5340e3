"""The flags users of Ruff, RuboCop and Semgrep reach for, and the text output they expect."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from rubygrade import __version__
from rubygrade.cli import main
from rubygrade.models import Dimension, Finding, Report, Severity
from rubygrade.render import render
from rubygrade.selection import known_rule_ids

from .conftest import EXAMPLE, RUBRIC, add_dsl_call

SERVICE = "app/services/chat_service.rb"
LINE = re.compile(r"^\s*(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>RG\d{3}) "
                  r"(?P<severity>error|warning|info) \S")


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(list(argv)) in (0, 1)
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_select_and_ignore_take_ids_and_prefixes(miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = {f["rule_id"] for f in _json(capsys, "grade", str(miniapp), "-f", "json")["findings"]}
    assert {"RG404", "RG305"} <= everything
    only_4 = {f["rule_id"] for f in _json(capsys, "grade", str(miniapp), "-f", "json",
                                          "--select", "RG4")["findings"]}
    assert only_4 and all(r.startswith("RG4") for r in only_4)
    assert "RG404" in only_4
    rest = {f["rule_id"] for f in _json(capsys, "grade", str(miniapp), "-f", "json", "--select", "RG4,RG30",
                                        "--ignore", "RG404")["findings"]}
    assert "RG404" not in rest and "RG305" in rest and all(r[:3] in ("RG4", "RG3") for r in rest)
    ignored = {f["rule_id"] for f in _json(capsys, "grade", str(miniapp), "-f", "json", "--ignore", "RG3",
                                           "--ignore", "RG404")["findings"]}
    assert ignored == everything - {r for r in everything if r.startswith("RG3")} - {"RG404"}
    assert _json(capsys, "grade", str(miniapp), "-f", "json", "--select", "ALL")["findings"]


def test_config_file_replaces_the_repository_config(miniapp: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (miniapp / ".rubygrade.toml").write_text('disable = ["RG305"]\n', encoding="utf-8")
    outside = tmp_path / "ci"
    outside.mkdir()
    rubric = RUBRIC.read_text(encoding="utf-8").replace("A = 80\nB = 60\nC = 40", "A = 3\nB = 2\nC = 1")
    (outside / "strict.toml").write_text(rubric, encoding="utf-8")
    config = outside / "rubygrade.toml"
    config.write_text('disable = ["RG40"]\nrubric = "strict.toml"\n', encoding="utf-8")  # a prefix
    report = _json(capsys, "grade", str(miniapp), "-f", "json", "--config", str(config))
    rules = {f["rule_id"] for f in report["findings"]}
    assert "RG305" in rules and not any(r.startswith("RG40") for r in rules)
    assert report["tier"] == "A"  # the rubric named by that file, relative to it
    pyproject = outside / "pyproject.toml"
    pyproject.write_text('[tool.rubygrade]\ndisable = ["RG305"]\n', encoding="utf-8")
    rules = {f["rule_id"] for f in _json(capsys, "grade", str(miniapp), "-f", "json", "--config",
                                         str(pyproject))["findings"]}
    assert "RG305" not in rules and "RG404" in rules
    assert main(["grade", str(miniapp), "--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: cannot read the configuration" in capsys.readouterr().err


def test_statistics_count_findings_per_rule(capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, "grade", str(EXAMPLE), "-f", "json")
    counts: dict[str, int] = {}
    for f in report["findings"]:
        if not f["suppressed"]:
            counts[f["rule_id"]] = counts.get(f["rule_id"], 0) + 1
    rows = _json(capsys, "grade", str(EXAMPLE), "--statistics", "-f", "json")
    assert {r["code"]: r["count"] for r in rows} == counts
    assert main(["grade", str(EXAMPLE), "--statistics"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert len(text) == len(counts)
    assert "\tRG401\terror\tunguarded-llm-call" in "\n".join(text)
    assert main(["grade", str(EXAMPLE), "--statistics", "-f", "sarif"]) == 2


def test_quiet_prints_findings_and_the_total_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(EXAMPLE), "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("total ") and "tier" in lines[-1]
    assert all(LINE.match(line) for line in lines[:-1]) and len(lines) > 2


def test_color_auto_always_never_and_no_color(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["grade", str(EXAMPLE)]) == 0
    assert "\x1b[" not in capsys.readouterr().out  # not a terminal
    assert main(["grade", str(EXAMPLE), "--color", "always"]) == 0
    assert "\x1b[" in capsys.readouterr().out

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(["grade", str(EXAMPLE)]) == 0
    assert "\x1b[" in tty.getvalue()  # a terminal: colour by default
    for env, flag, coloured in (("1", "auto", False), ("1", "always", True), ("", "never", False)):
        tty.seek(0)
        tty.truncate()
        monkeypatch.setenv("NO_COLOR", env)
        assert main(["grade", str(EXAMPLE), "--color", flag]) == 0
        assert ("\x1b[" in tty.getvalue()) is coloured, (env, flag)


def test_show_source_prints_the_line_and_a_caret(miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_dsl_call(miniapp)
    assert main(["grade", str(miniapp), "--show-source", "--select", "RG201"]) == 0
    out = capsys.readouterr().out
    assert f"{SERVICE}:9:5: RG201 error" in out
    assert '  9 |     chat.user "hi"\n' in out
    assert "    |     ^\n" in out  # under column 5
    assert main(["check", "--root", str(miniapp), SERVICE, "--show-source"]) == 1
    assert '  9 |     chat.user "hi"' in capsys.readouterr().out


def test_rule_command_prints_the_doc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "RG401"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# RG401 unguarded-llm-call\n")
    assert "## Why is this bad?" in out and "Use instead:" in out
    assert f"https://github.com/rubygrade/rubygrade/blob/v{__version__}/docs/rules/RG401.md" in out
    assert main(["rule", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(known_rule_ids())
    assert main(["rule", "RG801", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "RG801" and data["severity"] == "error" and "## Example" in data["explanation"]
    assert main(["rule", "rg401"]) == 2
    assert "rule IDs are upper case: RG401" in capsys.readouterr().err
    assert main(["rule"]) == 2


def test_output_file_gets_the_selected_format_without_colour(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    sarif = tmp_path / "r.sarif"
    assert main(["grade", str(EXAMPLE), "-f", "sarif", "-o", str(sarif)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    text = tmp_path / "r.txt"
    assert main(["grade", str(EXAMPLE), "-o", str(text)]) == 0
    assert "\x1b[" not in text.read_text(encoding="utf-8") and "total" in text.read_text(encoding="utf-8")
    stats = tmp_path / "s.txt"
    assert main(["grade", str(EXAMPLE), "--statistics", "-o", str(stats)]) == 0
    assert "\tRG401\t" in stats.read_text(encoding="utf-8")


def test_baseline_reports_only_new_findings_and_gates_on_them(miniapp: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "baseline.json"
    assert main(["grade", str(miniapp), "-f", "json", "-o", str(base)]) == 0
    before = json.loads(base.read_text(encoding="utf-8"))
    assert before["findings"] and all(f["fingerprint"] for f in before["findings"])
    # the code moves down (a new comment at the top) and a new problem appears
    service = miniapp / SERVICE
    service.write_text("# moved\n# down\n" + service.read_text(encoding="utf-8"), encoding="utf-8")
    add_dsl_call(miniapp)
    assert main(["grade", str(miniapp), "--baseline", str(base)]) == 0
    out = capsys.readouterr().out
    shown = [m.group("rule") for m in map(LINE.match, out.splitlines()) if m]
    assert shown == ["RG201"], out
    assert f"{len(before['findings'])} finding(s) already in the baseline" in out
    after = _json(capsys, "grade", str(miniapp), "-f", "json", "--baseline", str(base))
    kept = [f for f in after["findings"] if not f["in_baseline"]]
    assert [f["rule_id"] for f in kept] == ["RG201"]
    assert all(f["suppressed"] and f["suppression_reason"] == "in the baseline baseline.json"
               for f in after["findings"] if f["in_baseline"])
    assert after["total"] > before["total"] - 5  # only RG201's points are lost
    # the gates see only the new finding; check refuses it, and passes once it is gone
    assert main(["check", "--root", str(miniapp), "--baseline", str(base), SERVICE]) == 1
    assert [m.group("rule") for m in map(LINE.match, capsys.readouterr().out.splitlines()) if m] == ["RG201"]
    full = _json(capsys, "grade", str(miniapp), "-f", "json")
    assert main(["grade", str(miniapp), "-f", "json", "--baseline", str(base),
                 "--fail-under", str(full["total"] + 0.5)]) == 0
    capsys.readouterr()
    assert main(["grade", str(miniapp), "--baseline", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: cannot read the baseline" in capsys.readouterr().err
    base.write_text("{}", encoding="utf-8")
    assert main(["grade", str(miniapp), "--baseline", str(base)]) == 2
    assert "not a rubygrade JSON report" in capsys.readouterr().err


def test_exit_zero_keeps_the_message_but_not_the_code(miniapp: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(miniapp), "--fail-under", "101"]) == 1
    assert main(["grade", str(miniapp), "--fail-under", "101", "--exit-zero"]) == 0
    assert "gate failed: total" in capsys.readouterr().err
    add_dsl_call(miniapp)
    assert main(["check", "--root", str(miniapp), SERVICE]) == 1
    assert main(["check", "--root", str(miniapp), SERVICE, "--exit-zero"]) == 0
    # input errors stay 2
    assert main(["grade", str(miniapp), "--exit-zero", "--select", "RG0"]) == 2


def _finding(rule_id: str, line: int, severity: Severity = Severity.ERROR) -> Finding:
    dim = Dimension.ERRORS if rule_id.startswith("RG4") else Dimension.PRODUCTION
    return Finding(rule_id=rule_id, dimension=dim, severity=severity, message=f"{rule_id} here",
                   path="app/x.rb", line=line, column=3)


def test_text_caps_per_rule_so_one_noisy_rule_hides_nothing(example_report: Report) -> None:
    noisy = [_finding("RG401", n) for n in range(1, 1001)]
    report = example_report.model_copy(update={"findings": [*noisy, _finding("RG801", 5000)]})
    text = render(report, "text")
    assert "app/x.rb:5000:3: RG801 error RG801 here" in text
    assert "... 990 more RG401 finding(s) (use --verbose to see all)" in text
    assert text.count(": RG401 error") == 10
    assert render(report, "text", verbose=True).count(": RG401 error") == 1000


def test_every_text_line_has_severity_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    finding_lines = [line for line in out.splitlines() if re.match(r"^  \S+:\d+:", line)]
    assert finding_lines and all(LINE.match(line) for line in finding_lines)


def test_verbose_lists_the_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(EXAMPLE)]) == 0
    assert "diagnostics (" not in capsys.readouterr().out
    assert main(["grade", str(EXAMPLE), "-v"]) == 0
    out = capsys.readouterr().out
    assert "diagnostics (" in out and "project: file listing: " in out


def test_control_characters_in_file_names_are_escaped(example_report: Report) -> None:
    evil = _finding("RG801", 1).model_copy(update={"path": "app/\x1b[2Jevil\n.rb"})
    text = render(example_report.model_copy(update={"findings": [evil]}), "text", show_source=True)
    assert "app/\\x1b[2Jevil\\x0a.rb:1:3: RG801 error" in text
    assert "\x1b" not in text
