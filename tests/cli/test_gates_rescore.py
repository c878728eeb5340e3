"""grade gates, rescore, and error messages for invalid rubric/brief files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rubygrade.cli import main

from .conftest import EXAMPLE, RUBRIC, add_dsl_call


def _grade_json(tmp_path: Path) -> tuple[Path, dict]:  # type: ignore[type-arg]
    out = tmp_path / "report.json"
    assert main(["grade", str(EXAMPLE), "-f", "json", "-o", str(out)]) == 0
    return out, json.loads(out.read_text(encoding="utf-8"))


def _zero_rg201_rubric(tmp_path: Path) -> Path:
    """The default rubric with every RG201 entry (plain and shaped) worth 0 points."""
    text = RUBRIC.read_text(encoding="utf-8")
    text = re.sub(r'(\[rules\.(?:RG201|"RG201:[a-z_]+")\]\npoints = )-?[\d.]+', r"\g<1>0", text)
    path = tmp_path / "no-rg201.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fail_under_and_min_tier(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(EXAMPLE), "-f", "json", "--fail-under", "10", "--min-tier", "D"]) == 0
    assert main(["grade", str(EXAMPLE), "-f", "json", "--fail-under", "100.5"]) == 1
    assert "gate failed: total" in capsys.readouterr().err
    total = json.loads(capsys.readouterr().out or "{}").get("total")
    assert total is None or total < 100.5


def test_min_tier_gate_fails_below_the_tier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, report = _grade_json(tmp_path)
    tiers = "ABCD"
    better = tiers[max(tiers.index(report["tier"]) - 1, 0)]
    expected = 0 if better == report["tier"] else 1
    assert main(["rescore", str(path), "-f", "json", "--min-tier", better]) == expected
    capsys.readouterr()
    assert main(["rescore", str(path), "-f", "json", "--min-tier", "Z"]) == 2
    captured = capsys.readouterr()
    assert "--min-tier 'Z': unknown tier; the rubric has A, B, C, D" in captured.err
    assert captured.out == ""  # checked at start-up, before any output


def test_rescore_with_rg201_at_zero_changes_total_by_its_penalty(
        miniapp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_dsl_call(miniapp)  # chat.user "hi": RG201 shape fluent_dsl, -5 in the default rubric
    stored = tmp_path / "report.json"
    assert main(["grade", str(miniapp), "-f", "json", "-o", str(stored)]) == 0
    before = json.loads(stored.read_text(encoding="utf-8"))
    rubyllm = next(d for d in before["dimensions"] if d["key"] == "rubyllm")
    assert [(c["source"], c["points"]) for c in rubyllm["breakdown"] if c["source"].startswith("RG201")] \
        == [("RG201:fluent_dsl", -5)]
    assert not any(c["source"] == "clamp" for c in rubyllm["breakdown"])
    shutil.rmtree(miniapp)  # rescoring never reads the repository
    assert main(["rescore", str(stored), "--rubric", str(_zero_rg201_rubric(tmp_path)), "-f", "json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["total"] == before["total"] + 5
    assert after["findings"] == before["findings"] and after["evidence"] == before["evidence"]


def test_rescore_of_the_example_app_moves_exactly_its_rg201_points(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, before = _grade_json(tmp_path)
    rubyllm = next(d for d in before["dimensions"] if d["key"] == "rubyllm")
    penalty = sum(c["points"] for c in rubyllm["breakdown"] if c["source"].split(":")[0] == "RG201")
    clamp = sum(c["points"] for c in rubyllm["breakdown"] if c["source"] == "clamp")
    assert main(["rescore", str(path), "--rubric", str(_zero_rg201_rubric(tmp_path)), "-f", "json"]) == 0
    after = json.loads(capsys.readouterr().out)
    if not clamp:
        assert after["total"] == pytest.approx(before["total"] - penalty)
    assert after["total"] >= before["total"]


def test_rescore_with_the_same_rubric_is_identical(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _grade_json(tmp_path)
    assert main(["rescore", str(path), "-f", "json"]) == 0
    assert capsys.readouterr().out == path.read_text(encoding="utf-8")


def test_rescore_rejects_a_file_that_is_not_a_report(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"tool": {"version": "1"}, "root": "x", "total": "lots"}', encoding="utf-8")
    assert main(["rescore", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json: not a rubygrade JSON report: total" in err and "Traceback" not in err


@pytest.mark.parametrize(("edit", "expected"), [
    (("points = -15\ncap = -15\nwhy = \"invented constant",
      "points = \"x\"\ncap = -15\nwhy = \"invented constant"),
     r":\d+: key 'rules.RG202.points': Input should be a valid number"),
    (("[dimensions.rubyllm]", "[dimensions.rubyllmz]"), r": key 'dimensions.rubyllmz'"),
    (("A = 80", "A = = 80"), r": invalid TOML"),
])
def test_invalid_rubric_names_file_line_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                edit: tuple[str, str], expected: str) -> None:
    path = tmp_path / "rubric.toml"
    text = RUBRIC.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    assert main(["grade", str(EXAMPLE), "--rubric", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and re.search(expected, err), err


def test_invalid_brief_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "brief.toml"
    path.write_text('name = "x"\napi_key_env = 3\n', encoding="utf-8")
    assert main(["grade", str(EXAMPLE), "--brief", str(path)]) == 2
    assert f"{path}:2: key 'api_key_env'" in capsys.readouterr().err
