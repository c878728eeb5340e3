from __future__ import annotations

from pathlib import Path

import pytest

from rubygrade import grade
from rubygrade.models import Report

EXAMPLE = Path(__file__).parents[2] / "examples" / "chatapp"


@pytest.fixture(scope="session")
def example_report() -> Report:
    return grade(EXAMPLE)
