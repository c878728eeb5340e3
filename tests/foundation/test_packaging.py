"""A plain, non-editable install ships the catalogues and the rubric as package data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


@pytest.mark.slow
def test_wheel_contains_data_and_finds_it_when_installed(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True)
    if build.returncode != 0 and "hatchling" in build.stderr:
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
             str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("rubygrade-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "rubygrade/_data/rules/rubric.toml" in names
    assert "rubygrade/_data/rules/briefs/default.toml" in names
    assert any(n.startswith("rubygrade/_data/api_signatures/ruby_llm/") and n.endswith(".json")
               for n in names)

    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    probe = ("import rubygrade, rubygrade.paths as p; "
             "print(rubygrade.__file__); print(p.rules_dir()); print(p.catalogue_dir())")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    module_file, rules, catalogues = out.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert rules.startswith(str(target)) and catalogues.startswith(str(target))
