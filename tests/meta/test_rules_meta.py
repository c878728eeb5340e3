"""Meta-tests over the rules themselves (RuboCop's project_spec, InternalAffairs in spirit).

The structural checks read the rule modules with libcst instead of importing
them, so a rule module that breaks a convention is reported by file and name.
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from rubygrade import docsgen
from rubygrade.checks.base import all_rules
from rubygrade.models import Dimension
from rubygrade.rubric import load_rubric

CHECKS = Path(__file__).parents[2] / "src" / "rubygrade" / "checks"
RULE_MODULES = sorted(p for p in CHECKS.rglob("rg[0-9][0-9][0-9]_*.py"))
DIMENSION_DIGIT = {Dimension.DELIVERABLES: "1", Dimension.RUBYLLM: "2", Dimension.TESTS: "3",
                   Dimension.ERRORS: "4", Dimension.PERSISTENCE: "5", Dimension.HOTWIRE: "6",
                   Dimension.ARCHITECTURE: "7", Dimension.PRODUCTION: "8"}
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "Use instead:")


class _RuleClasses(cst.CSTVisitor):
    """Collect ``id = "RGnnn"`` assignments in the class bodies of a module."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for statement in node.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name) and \
                        small.targets[0].target.value == "id" and \
                        isinstance(small.value, cst.SimpleString):
                    self.ids.append(small.value.evaluated_value)  # type: ignore[arg-type]


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda p: p.name)
def test_one_rule_per_module_and_id_matches_file_name(module: Path) -> None:
    visitor = _RuleClasses()
    cst.parse_module(module.read_text(encoding="utf-8")).visit(visitor)
    expected = "RG" + module.name[2:5]
    assert visitor.ids == [expected], f"{module.name}: rule ids {visitor.ids}, want [{expected}]"


def test_rule_ids_are_unique_and_in_their_dimension_range() -> None:
    rules = all_rules()
    assert rules, "no rules registered"
    for rule in rules:
        assert re.fullmatch(r"RG[1-8]\d\d", rule.id), rule.id
        assert rule.id[2] == DIMENSION_DIGIT[rule.dimension], f"{rule.id} in {rule.dimension}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), f"{rule.id}: name {rule.name!r}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_docstring_has_the_fixed_sections(rule: type) -> None:
    doc = rule.__doc__ or ""
    positions = [doc.find(section) for section in DOC_SECTIONS]
    missing = [s for s, p in zip(DOC_SECTIONS, positions, strict=True) if p < 0]
    assert not missing, f"{rule.id}: missing {missing}"
    assert positions == sorted(positions), f"{rule.id}: sections out of order"
    assert doc.count("```") >= 4, f"{rule.id}: Example and Use instead need code blocks"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_examples_are_runnable(rule: type) -> None:
    """Both sections place at least one file in the example app (tests/rules/test_doc_examples.py
    runs them)."""
    doc = docsgen.parse_rule_doc(rule)
    for section, fences in (("Example", doc.example_fences), ("Use instead", doc.instead_fences)):
        assert any(f.path for f in fences), \
            f"{rule.id}: {section} has no block naming a file (```ruby app/...)"


def test_every_registered_rule_is_in_the_rubric() -> None:
    rubric = load_rubric()
    scored = {key.split(":")[0] for key in rubric.rules}
    missing = [r.id for r in all_rules() if r.id not in scored]
    assert not missing, f"rules without a rubric entry: {missing}"


def test_the_rule_scaffold_writes_the_documented_shape(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "new_rule", Path(__file__).parents[2] / "scripts" / "new_rule.py")
    assert spec is not None and spec.loader is not None
    new_rule = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(new_rule)
    monkeypatch.setattr(new_rule, "ROOT", tmp_path)
    assert new_rule.main(["RG699", "hotwire", "frame-without-id", "A frame has no id."]) == 0
    module = tmp_path / "src" / "rubygrade" / "checks" / "hotwire" / "rg699_frame_without_id.py"
    source = module.read_text(encoding="utf-8")
    visitor = _RuleClasses()
    cst.parse_module(source).visit(visitor)
    assert visitor.ids == ["RG699"]
    namespace: dict[str, object] = {}
    # Run it with an empty id, so the class body and imports run but nothing registers.
    exec(compile(source.replace('id = "RG699"', 'id = ""'), str(module), "exec"), namespace)
    meta = namespace["FrameWithoutId"].meta()  # type: ignore[attr-defined]
    doc = docsgen.parse_rule_doc(dataclasses.replace(meta, id="RG699"))
    assert [f.path for f in doc.example_fences + doc.instead_fences] == \
        ["app/services/chat_service.rb"] * 2


def test_every_scored_evidence_kind_says_how_it_is_found() -> None:
    from rubygrade.docsgen import evidence_detection
    from rubygrade.rubric import load_rubric

    detects = evidence_detection()
    missing = sorted(k for k in load_rubric().evidence if not detects.get(k))
    assert not missing, f"evidence kinds with no `detects` entry in any collector: {missing}"
