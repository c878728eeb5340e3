"""The wheel ships the templates, and an installed copy renders both pages from them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
TEMPLATES = Path(__file__).parents[2] / "src" / "rubygrade" / "render" / "templates"

PROBE = """
import rubygrade
from rubygrade.models import Report, ToolInfo
from rubygrade.render import render
from rubygrade.render.html import render_leaderboard
report = Report(tool=ToolInfo(version="0"), root="probe", app_root="")
page = render(report, "html")
board = render_leaderboard([{"repo": "probe", "path": "p", "status": "ok", "total": 0.0, "tier": "D",
                             "findings": 0, "report": report.model_dump(mode="json")}])
print(rubygrade.__file__)
print(page.startswith("<!DOCTYPE html>") and "rubygrade report: probe" in page)
print("<script>" in board and "rubygrade leaderboard" in board)
"""


@pytest.mark.slow
def test_wheel_ships_the_templates_and_renders_when_installed(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("rubygrade-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.name for p in TEMPLATES.iterdir() if p.is_file())
    assert {"page.css", "leaderboard.js", "report.html.j2", "leaderboard.html.j2"} <= set(shipped)
    assert {f"rubygrade/render/templates/{name}" for name in shipped} <= names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Dist: jinja2" in metadata

    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                              str(target), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    module_file, page_ok, board_ok = out.stdout.splitlines()
    assert module_file.startswith(str(target)) and page_ok == "True" and board_ok == "True"
