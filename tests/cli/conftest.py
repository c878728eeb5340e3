from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rubygrade import grade
from rubygrade.models import Report

MINIAPP = Path(__file__).parents[1] / "fixtures" / "apps" / "miniapp"
EXAMPLE = Path(__file__).parents[2] / "examples" / "chatapp"
RUBRIC = Path(__file__).parents[2] / "rules" / "rubric.toml"


@pytest.fixture
def miniapp(tmp_path: Path) -> Path:
    target = tmp_path / "miniapp"
    shutil.copytree(MINIAPP, target)
    return target


def add_dsl_call(app: Path, above: str = "") -> Path:
    """Insert the invented ``chat.user "hi"`` before the real ``ask`` (optionally after a comment)."""
    service = app / "app" / "services" / "chat_service.rb"
    text = service.read_text(encoding="utf-8")
    service.write_text(text.replace("    response = chat.ask(prompt)",
                                     f'{above}    chat.user "hi"\n    response = chat.ask(prompt)'),
                       encoding="utf-8")
    return service


@pytest.fixture(scope="session")
def example_report() -> Report:
    return grade(EXAMPLE)
