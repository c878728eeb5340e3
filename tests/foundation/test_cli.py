"""The command line: exit codes, formats, the JSON contract, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rubygrade.cli import main

from .helpers import MINIMAL_APP, write_tree

EXAMPLE = Path(__file__).parents[2] / "examples" / "chatapp"
DIMENSION_KEYS = ["deliverables", "rubyllm", "tests", "errors", "persistence", "hotwire",
                  "architecture", "production"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("rubygrade ")


def test_missing_path_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "/no/such/folder"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err and "Traceback" not in err


def test_unknown_format_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(tmp_path), "--format", "yaml"]) == 2
    assert "unknown format" in capsys.readouterr().err


def test_non_rails_repo_reports_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.py": "print(1)\n"})
    assert main(["grade", str(tmp_path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert f"{tmp_path}: not a Rails app (no config/application.rb" in captured.err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["grade", str(empty)]) == 2
    assert "not a Rails app" in capsys.readouterr().err
    from rubygrade import grade  # the library still returns the report, with the diagnostic

    report = grade(tmp_path)
    assert report.app_root is None and report.findings == []
    assert any("not a Rails app" in d.message for d in report.diagnostics)


def test_json_contract_on_the_example_app(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(EXAMPLE), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("schema_version", "tool", "ruby_llm_version", "findings", "evidence",
                "dimensions", "total", "tier", "diagnostics"):
        assert key in report, key
    assert report["tool"]["name"] == "rubygrade"
    assert [d["key"] for d in report["dimensions"]] == DIMENSION_KEYS
    assert all({"key", "name", "score", "max"} <= set(d) for d in report["dimensions"])
    assert sum(d["max"] for d in report["dimensions"]) == 100
    for finding in report["findings"]:
        assert {"rule_id", "dimension", "severity", "message", "path", "line"} <= set(finding)
    assert report["tier"] in {"A", "B", "C", "D"}


def test_output_is_byte_identical_across_runs_and_paths(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "elsewhere" / "chatapp"
    shutil.copytree(EXAMPLE, copy)
    outputs = []
    for path in (EXAMPLE, EXAMPLE, copy):
        out = tmp_path / f"r{len(outputs)}.json"
        assert main(["grade", str(path), "--format", "json", "--output", str(out)]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_text_output_has_score_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, MINIMAL_APP)
    assert main(["grade", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "total" in out and "tier" in out and "RG103" in out


def test_json_validates_against_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    schema_path = Path(__file__).parents[2] / "docs" / "schemas" / "report.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert main(["grade", str(EXAMPLE), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(schema).validate(report)
    broken = {**report, "findings": [{"rule_id": "RG201"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


@pytest.mark.internal_diagnostics
def test_a_crashing_rule_becomes_a_diagnostic_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rubygrade
    from rubygrade.checks.base import rule_by_id

    rule = rule_by_id("RG104")
    assert rule is not None

    def boom(self: object, ctx: object) -> None:
        raise KeyError("synthetic")

    monkeypatch.setattr(rule, "check", boom)
    write_tree(tmp_path, MINIMAL_APP)
    report = rubygrade.grade(tmp_path)
    assert not any(f.rule_id == "RG104" for f in report.findings)
    assert any(d.kind == "internal" and "RG104 failed" in d.message for d in report.diagnostics)
    assert any(f.rule_id == "RG103" for f in report.findings)  # other rules still ran


def test_limit_flags_reach_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {**MINIMAL_APP, "app/models/big.rb": "x = 1\n" * 500})
    assert main(["grade", str(tmp_path), "--format", "json", "--max-file-bytes", "100"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert any(d["kind"] == "limit" and d["path"] == "app/models/big.rb"
               for d in report["diagnostics"])
    assert main(["grade", str(tmp_path), "--max-files", "0"]) == 2
    assert "argument --max-files: '0' must be at least 1" in capsys.readouterr().err
