"""Every rule's documented example is run: "Example" must produce its finding, "Use instead" not.

Each example app is the skeleton in tests/fixtures/skeleton (a small chat app no
rule reports anything on, with no LLM call yet; its Gemfile.lock locks only rails
and ruby_llm 1.14.1, so an example's Gemfile alone says which gems are declared)
with the fences of the rule's docstring applied in order: a fence
```` ```ruby app/services/assistant.rb ```` is that file's whole text,
```` ```text compose.yaml absent ```` removes the file (a path ending in ``/``
removes the folder). "Use instead" applies on top of "Example", so it shows only
what changes. The app is graded with that one rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rubygrade import docsgen
from rubygrade.checks.base import Rule, all_rules
from rubygrade.engine import Options, grade
from rubygrade.models import Report

SKELETON = Path(__file__).parents[1] / "fixtures" / "skeleton"
RULES = [r for r in all_rules() if r.status == "stable"]


def apply(root: Path, fences: list[docsgen.Fence]) -> None:
    for fence in fences:
        if fence.path is None:
            continue
        target = root / fence.path
        if fence.absent:
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fence.content, encoding="utf-8")


def grade_only(root: Path, rule: type[Rule]) -> Report:
    others = frozenset(r.id for r in all_rules() if r.id != rule.id)
    return grade(root, Options(disabled_rules=others, use_config=False))


def _unparsed(report: Report, fences: list[docsgen.Fence]) -> list[str]:
    paths = {f.path for f in fences if f.path is not None and not f.absent}
    return [f"{d.path}:{d.line}: {d.message}" for d in report.diagnostics
            if d.kind == "parse_error" and d.path in paths]


def _found(report: Report, rule: type[Rule]) -> list[str]:
    return [f"{f.path}:{f.line}: {f.message}" for f in report.findings if f.rule_id == rule.id]


def test_the_skeleton_alone_has_no_findings() -> None:
    report = grade(SKELETON)
    assert report.app_root == ""
    assert [(f.rule_id, f.path, f.line) for f in report.findings] == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_example_is_reported_and_use_instead_is_not(rule: type[Rule], tmp_path: Path) -> None:
    doc = docsgen.parse_rule_doc(rule)
    app = tmp_path / "app"
    shutil.copytree(SKELETON, app)
    apply(app, doc.example_fences)
    example = grade_only(app, rule)
    assert example.app_root is not None, f"{rule.id}: the Example app is not a Rails app"
    assert not _unparsed(example, doc.example_fences), _unparsed(example, doc.example_fences)
    assert _found(example, rule), f"{rule.id}: the Example is not reported"
    apply(app, doc.instead_fences)
    instead = grade_only(app, rule)
    assert instead.app_root is not None, f"{rule.id}: the Use instead app is not a Rails app"
    assert not _unparsed(instead, doc.instead_fences), _unparsed(instead, doc.instead_fences)
    found = _found(instead, rule)
    assert not found, f"{rule.id}: the Use instead block is reported:\n" + "\n".join(found)
