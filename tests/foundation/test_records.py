"""Records: built without pydantic when grading, validated by pydantic where data comes in.

The shortcut is only sound if a record built from rubygrade's own files equals the one
pydantic validates from the same file, and if a record's JSON equals pydantic's dump of
it. These tests hold both, on every shipped data file and on a real report.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from rubygrade.brief import Brief, load_brief
from rubygrade.catalogue.model import Catalogue
from rubygrade.catalogue.store import available_versions, load_catalogue, read_catalogue
from rubygrade.config import Config, DataFileError, FieldError, load_config
from rubygrade.engine import grade
from rubygrade.models import Confidence, Dimension, Finding, Report, Severity
from rubygrade.paths import catalogue_dir, rules_dir
from rubygrade.rubric import DimensionSpec, Rubric, RulePoints, load_rubric

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "chatapp"


def test_grading_with_the_defaults_never_imports_pydantic() -> None:
    code = ("import sys, rubygrade; rubygrade.grade(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))")
    out = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_shipped_rubric_and_brief_equal_their_validated_forms() -> None:
    rubric_file = rules_dir() / "rubric.toml"
    validated = Rubric.model_validate(tomllib.loads(rubric_file.read_text(encoding="utf-8")))
    assert load_rubric() == validated
    assert load_rubric(rubric_file) == validated  # a path given: validated, still equal
    for brief_file in sorted((rules_dir() / "briefs").glob("*.toml")):
        data = tomllib.loads(brief_file.read_text(encoding="utf-8"))
        assert Brief.from_trusted(data) == Brief.model_validate(data), brief_file.name
    assert load_brief() == load_brief(rules_dir() / "briefs" / "default.toml")


@pytest.mark.parametrize("version", available_versions())
def test_shipped_catalogue_equals_its_validated_form(version: str) -> None:
    assert load_catalogue(version) == read_catalogue(catalogue_dir() / f"{version}.json")


def test_a_catalogue_from_another_folder_is_validated(tmp_path: Path) -> None:
    data = json.loads((catalogue_dir() / "1.0.0.json").read_text(encoding="utf-8"))
    data["classes"]["RubyLLM::Chat"]["kind"] = "struct"
    (tmp_path / "1.0.0.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_catalogue("1.0.0", tmp_path)
    assert isinstance(Catalogue.from_trusted(data), Catalogue)  # the shortcut would not notice


def test_a_report_dumps_exactly_as_pydantic_would() -> None:
    report = grade(EXAMPLE)
    assert report.findings and report.evidence and report.dimensions
    adapter = TypeAdapter(Report)
    assert report.model_dump(mode="json") == adapter.dump_python(report, mode="json")
    assert json.loads(report.model_dump_json()) == json.loads(adapter.dump_json(report))
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    assert report.model_dump()["findings"][0]["severity"] in tuple(Severity)


def test_construction_converts_plain_values_and_checks_bounds() -> None:
    finding = Finding(rule_id="RG201", dimension="rubyllm", severity="error",  # type: ignore[arg-type]
                      message="m", path="a.rb", line=2, confidence="low")  # type: ignore[arg-type]
    assert finding.dimension is Dimension.RUBYLLM and finding.severity is Severity.ERROR
    assert finding.confidence is Confidence.LOW
    assert type(RulePoints(points=0).points) is float  # JSON writes 0.0, as a validated one does
    with pytest.raises(ValueError, match="line must be >= 1"):
        Finding(rule_id="RG201", dimension=Dimension.RUBYLLM, severity=Severity.ERROR,
                message="m", path="a.rb", line=0)
    with pytest.raises(ValueError, match="max must be > 0"):
        DimensionSpec(name="errors", max=0)
    with pytest.raises(ValidationError, match="dimensions.errors.max"):  # validation locates it
        Rubric.model_validate({**load_rubric().model_dump(mode="json"),
                               "dimensions": {"errors": {"name": "errors", "max": 0}}})
    with pytest.raises(ValidationError, match="dimensions missing"):
        Rubric.model_validate({"dimensions": {}, "tiers": {"A": 0}})


def test_copies_are_new_records_and_frozen() -> None:
    finding = Finding(rule_id="RG201", dimension=Dimension.RUBYLLM, severity=Severity.ERROR,
                      message="m", path="a.rb", line=2)
    copy = finding.model_copy(update={"severity": Severity.INFO})
    assert copy.severity is Severity.INFO and finding.severity is Severity.ERROR
    with pytest.raises(AttributeError):
        finding.line = 3  # type: ignore[misc]


def test_a_config_rule_is_checked_at_its_key(tmp_path: Path) -> None:
    with pytest.raises(FieldError, match="disable"):
        Config(disable=["RG999"])
    assert Config(disable=["RG10"]).disable[:2] == ["RG101", "RG102"]
    (tmp_path / ".rubygrade.toml").write_text('exclude = ["vendor"]\n\ndisable = ["RG999"]\n')
    with pytest.raises(DataFileError, match=r"\.rubygrade\.toml:3: key 'disable': item 0"):
        load_config(tmp_path)
    assert "source" not in load_config(tmp_path.parent).model_dump()  # never dumped
