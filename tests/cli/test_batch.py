"""`rubygrade batch`: a good app, a broken app, an empty folder and a non-Rails folder."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from rubygrade import batch
from rubygrade.cli import main

from .conftest import MINIAPP


@pytest.fixture
def results(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    shutil.copytree(MINIAPP, root / "good-app")
    broken = root / "broken-app"
    shutil.copytree(MINIAPP, broken)
    (broken / "Gemfile.lock").write_bytes(b"\xff\xfe GEM\n  specs:\n    ruby_llm (\n")
    (broken / "app" / "services" / "chat_service.rb").write_text("class ChatService\n  def reply(\n", "utf-8")
    (broken / "app" / "views" / "chats" / "show.html.erb").write_bytes(b"<%= \x00\xff oops")
    (root / "empty").mkdir()
    (root / "not-rails").mkdir()
    (root / "not-rails" / "main.py").write_text("print('hello')\n", encoding="utf-8")
    return root


def test_batch_writes_one_line_per_repo_and_a_leaderboard(results: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out, board = tmp_path / "results.jsonl", tmp_path / "leaderboard.md"
    assert main(["batch", str(results), "--jobs", "2", "--out", str(out), "--leaderboard", str(board)]) == 0
    progress = capsys.readouterr().err
    assert "4/4" in progress
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [x["repo"] for x in lines] == ["broken-app", "empty", "good-app", "not-rails"]
    status = {x["repo"]: x["status"] for x in lines}
    assert status == {"broken-app": "ok", "empty": "not_rails", "good-app": "ok", "not-rails": "not_rails"}
    good = next(x for x in lines if x["repo"] == "good-app")
    assert good["report"]["total"] == good["total"] and len(good["scores"]) == 8
    table = board.read_text(encoding="utf-8").splitlines()
    assert table[2].startswith("| rank | repo | total | tier | deliverables | rubyllm | tests | errors |")
    rows = [r for r in table[4:] if r.startswith("| ")]
    assert len(rows) == 4
    ranked = [x for x in lines if x["status"] == "ok"]
    ranked.sort(key=lambda x: -x["total"])
    assert [r.split(" | ")[1] for r in rows[:2]] == [x["repo"] for x in ranked]


def test_batch_csv_and_error_lines(results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "board.csv"
    missing = tmp_path / "no-such-dir"
    assert main(["batch", str(results), str(missing), "-q", "--leaderboard", str(board)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = [json.loads(x) for x in captured.out.splitlines()]
    assert len(lines) == 5
    assert lines[-1]["status"] == "error" and "no-such-dir" in lines[-1]["error"]
    rows = list(csv.reader(board.open(encoding="utf-8")))
    assert rows[0][:4] == ["rank", "repo", "total", "tier"] and len(rows[0]) == 13
    assert rows[0][-1] == "changed_by" and all(row[-1] == "" for row in rows[1:])
    assert len(rows) == 6


def test_grade_one_never_raises(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("x", encoding="utf-8")
    line = batch.grade_one(str(file))
    assert line["status"] == "error" and line["repo"] == "a-file"


def test_batch_is_deterministic_across_job_counts(results: Path) -> None:
    repos = batch.discover([str(results)])
    one = [batch.dumps_line(x) for x in batch.run(repos, jobs=1)]
    two = [batch.dumps_line(x) for x in batch.run(repos, jobs=2)]
    assert one == two


def test_batch_usage_errors(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(results), "--jobs", "0"]) == 2
    assert main(["batch", str(results), "--leaderboard", "board.txt"]) == 2
    err = capsys.readouterr().err
    assert "argument -j/--jobs: '0' must be at least 1 (see `rubygrade batch --help`)" in err
    assert "--leaderboard board.txt: must name a .md, .csv or .html file" in err
