"""The missing-constant search asks the catalogue before climbing for a ``defined?`` guard,
except in a run with deeply nested code: there the climb is what reports the nesting
diagnostic, and the report must not depend on whether the catalogue knew the constant."""

from __future__ import annotations

import shutil
from pathlib import Path

from rubygrade.engine import analyse

SKELETON = Path(__file__).resolve().parents[1] / "fixtures" / "skeleton"
DEPTH = 300  # deeper than treeutil.MAX_ANCESTORS


def test_deep_reference_to_a_known_constant_still_reports_the_climb_limit(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(SKELETON, app)
    (app / "app" / "services").mkdir(parents=True, exist_ok=True)
    # Only a constant the catalogue has, nested past the climb's bound.
    (app / "app" / "services" / "deep.rb").write_text(
        "class Deep\n  def call\n    x = " + "[" * DEPTH + "RubyLLM::Chat" + "]" * DEPTH +
        "\n  end\nend\n")
    run = analyse(app)
    messages = [d.message for d in run.report.diagnostics if d.kind == "limit"]
    assert any("levels deep: analyses that look up" in m for m in messages), messages
