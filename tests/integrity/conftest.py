from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rubygrade.cli import main

MINIAPP = Path(__file__).parents[1] / "fixtures" / "apps" / "miniapp"
RUBRIC = Path(__file__).parents[2] / "rules" / "rubric.toml"
SERVICE = "app/services/chat_service.rb"
DSL_CALL = '    chat.user "hi"\n'


@pytest.fixture
def miniapp(tmp_path: Path) -> Path:
    target = tmp_path / "miniapp"
    shutil.copytree(MINIAPP, target)
    return target


def edit(app: Path, rel: str, old: str, new: str) -> Path:
    """Replace ``old`` (which must occur) by ``new`` in one file of ``app``."""
    file = app / rel
    text = file.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def add_dsl_call(app: Path, above: str = "") -> Path:
    """Put the invented ``chat.user "hi"`` (RG201) before the real ``ask``, after ``above``."""
    return edit(app, SERVICE, "    response = chat.ask(prompt)",
                f"{above}{DSL_CALL}    response = chat.ask(prompt)")


def grade_json(app: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["grade", str(app), "-f", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def rg201(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule_id"] == "RG201"]
