"""The GitHub Action's logic (``action.yml`` runs it): grade, write SARIF and the job summary.

It reads the action's inputs from the environment, as the composite action passes
them, so it runs the same way on a laptop:

    GITHUB_WORKSPACE=$PWD GITHUB_STEP_SUMMARY=/tmp/summary.md GITHUB_OUTPUT=/tmp/out \\
    INPUT_PATH=examples/chatapp INPUT_FAIL_UNDER=70 python scripts/action.py

Inputs: ``INPUT_PATH`` (the folder to grade, relative to the workspace; default
``.``), ``INPUT_FAIL_UNDER``, ``INPUT_MIN_TIER``, ``INPUT_ARGS`` (more ``rubygrade
grade`` options, split as a shell would), ``INPUT_SARIF_FILE`` (default
``rubygrade.sarif``, relative to the workspace). It grades once, writes the SARIF
file (locations relative to the repository root, so code scanning can place them
when the app is in a sub-folder), appends the Markdown audit to
``$GITHUB_STEP_SUMMARY``, and writes ``total``, ``tier``, ``gate`` and
``sarif-file`` to ``$GITHUB_OUTPUT``. The exit code is rubygrade's: 0 the gates
passed, 1 a gate failed, 2 unusable input (not a Rails app, a bad option), 3 an
internal error.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path


def _inputs() -> dict[str, str]:
    return {name: os.environ.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip()
            for name in ("path", "fail-under", "min-tier", "args", "sarif-file")}


def _append(file: str | None, text: str) -> None:
    if file:
        with open(file, "a", encoding="utf-8") as sink:
            sink.write(text)


def _prefix(target: Path, workspace: Path) -> str:
    from rubygrade.cli import repository_prefix

    try:
        rel = target.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return repository_prefix(target)
    return "" if rel == "." else rel + "/"


def main() -> int:
    from rubygrade.cli import main as rubygrade
    from rubygrade.models import Report
    from rubygrade.render import render

    inputs = _inputs()
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    target = workspace / (inputs["path"] or ".")
    sarif = workspace / (inputs["sarif-file"] or "rubygrade.sarif")
    argv = ["grade", str(target), "--format", "json"]
    if inputs["fail-under"]:
        argv += ["--fail-under", inputs["fail-under"]]
    if inputs["min-tier"]:
        argv += ["--min-tier", inputs["min-tier"]]
    argv += shlex.split(inputs["args"])
    with tempfile.TemporaryDirectory() as tmp:
        report_file = Path(tmp) / "report.json"
        code = rubygrade([*argv, "--output", str(report_file)])
        if code not in (0, 1):
            print(f"::error title=rubygrade::rubygrade grade exited {code}; see the log above")
            return code
        report = Report.model_validate_json(report_file.read_bytes())
    sarif.parent.mkdir(parents=True, exist_ok=True)
    sarif.write_text(render(report, "sarif", root_prefix=_prefix(target, workspace)), encoding="utf-8")
    gate = "failed" if code == 1 else "passed"
    summary = render(report, "markdown")
    if gate == "failed":
        summary += "\n**Quality gate failed** (see the job log for which gate).\n"
    _append(os.environ.get("GITHUB_STEP_SUMMARY"), summary + "\n")
    _append(os.environ.get("GITHUB_OUTPUT"),
            f"total={report.total:g}\ntier={report.tier}\ngate={gate}\nsarif-file={sarif}\n")
    print(f"rubygrade: {report.total:g}/100, tier {report.tier}; gates {gate}; SARIF in {sarif}")
    return code


if __name__ == "__main__":
    sys.exit(main())
