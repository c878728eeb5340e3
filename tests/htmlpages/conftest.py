from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rubygrade import grade
from rubygrade.cli import main
from rubygrade.models import Report

from .apps import EXAMPLE, make_batch


@pytest.fixture(scope="session")
def example_report() -> Report:
    return grade(EXAMPLE)


class Batch:
    """Ten graded variants of the example app, a folder that is not an app and a missing path."""

    def __init__(self, root: Path) -> None:
        self.results = make_batch(root / "results")
        self.missing = root / "missing-repo"
        self.jsonl = root / "results.jsonl"
        self.board = root / "site" / "board.html"
        code = main(["batch", str(self.results), str(self.missing), "-q", "--jobs", "2",
                     "--out", str(self.jsonl), "--leaderboard", str(self.board)])
        assert code == 0
        self.lines: list[dict[str, Any]] = [
            json.loads(x) for x in self.jsonl.read_text(encoding="utf-8").splitlines()]

    def graded(self) -> list[dict[str, Any]]:
        return sorted((x for x in self.lines if x["status"] == "ok"), key=lambda x: (-x["total"], x["repo"]))


@pytest.fixture(scope="session")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return Batch(tmp_path_factory.mktemp("leaderboard"))
