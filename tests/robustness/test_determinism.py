"""The same repository always gives the same JSON: run twice, moved elsewhere, other hash seeds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rubygrade.engine import grade
from rubygrade.render import render

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chatapp"


def _json(path: Path) -> str:
    return render(grade(path), "json")


def test_same_app_twice_gives_identical_json() -> None:
    assert _json(EXAMPLE) == _json(EXAMPLE)


def test_copy_at_another_path_gives_identical_json(tmp_path: Path) -> None:
    # Same folder name (the report names the root folder), different parent and inode order.
    copy = tmp_path / "elsewhere" / EXAMPLE.name
    shutil.copytree(EXAMPLE, copy)
    assert _json(copy) == _json(EXAMPLE)


def test_other_hash_seeds_give_identical_json(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "rubygrade", "grade", str(EXAMPLE), "--format", "json"],
            capture_output=True, env=env, check=True, cwd=tmp_path)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].decode() == _json(EXAMPLE)
