"""Shared test helpers: grading fixture apps and checking their inline annotations."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the known false positives (``todo-ok`` annotations) the fixture apps tolerate."""
    from annotations import TOLERATED

    if TOLERATED:
        terminalreporter.section("known false positives (todo-ok)")
        for item in sorted(set(TOLERATED)):
            terminalreporter.line(item)
