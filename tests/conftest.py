"""Shared test set-up: the import path of the test helpers, the internal-diagnostic gate.

A rule or collector that crashes does not crash the run: the engine turns the
exception into an ``internal`` diagnostic. Every test therefore fails when any
grading it ran produced one (in this process, or in a grading process of a
batch: ``rubygrade.worker`` runs in a fresh interpreter, so its crashes are read
from the diagnostics of the lines it sends back), unless it is marked
``@pytest.mark.internal_diagnostics`` because it provokes one on purpose.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rubygrade import batch
from rubygrade.analysis import Facts

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def no_internal_diagnostics(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                            monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if a rule or collector crashed in any grading it ran."""
    if request.node.get_closest_marker("internal_diagnostics") is not None:
        yield
        return
    log = tmp_path_factory.mktemp("internal") / "internal.log"
    diagnose = Facts.diagnose

    def recording(self: Facts, kind: str, message: str, path: str | None = None,
                  line: int | None = None) -> None:
        if kind == "internal":  # a file, so that forked workers (rubygrade batch) report too
            with log.open("a", encoding="utf-8") as out:
                out.write(message.replace("\n", " ") + "\n")
        diagnose(self, kind, message, path, line)

    def record_line(line: dict[str, Any]) -> None:
        """A batch line from a grading process: its report's internal diagnostics."""
        for item in (line.get("report") or {}).get("diagnostics", []):
            if item.get("kind") == "internal":
                with log.open("a", encoding="utf-8") as out:
                    out.write(str(item.get("message", "")).replace("\n", " ") + "\n")

    pool_grade = batch.GraderPool.grade

    def pool_grading(self: batch.GraderPool, *args: Any, **kwargs: Any) -> dict[str, Any]:
        line = pool_grade(self, *args, **kwargs)
        record_line(line)
        return line

    dask_lines = batch._dask_lines

    def dask_grading(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for line in dask_lines(*args, **kwargs):
            record_line(line)
            yield line

    monkeypatch.setattr(Facts, "diagnose", recording)
    monkeypatch.setattr(batch.GraderPool, "grade", pool_grading)
    monkeypatch.setattr(batch, "_dask_lines", dask_grading)
    yield
    crashes = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert not crashes, "internal diagnostics (a rule or collector crashed):\n" + "\n".join(crashes)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the known false positives (``todo-ok`` annotations) the fixture apps tolerate."""
    from annotations import TOLERATED

    if TOLERATED:
        terminalreporter.section("known false positives (todo-ok)")
        for item in sorted(set(TOLERATED)):
            terminalreporter.line(item)
