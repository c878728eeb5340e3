"""Every finding of every stable rule on every fixture app is owned by an annotation.

The fixture apps live in tests/fixtures/apps/<app>/; their inline annotations
(tests/annotations.py) say which finding each line must and must not carry. The
rule set comes from the registry, so a new rule is checked against every app the
day it is added.
"""

from __future__ import annotations

import pytest
from annotations import TOLERATED, app_path, app_report, check_annotations, collect, fixture_apps

from rubygrade.checks.base import all_rules

STABLE = {r.id for r in all_rules() if r.status == "stable"}
#: Rules whose cases the fixture apps cannot hold, and where they are instead.
_HIDDEN_CODE = "a file past the size ceiling is written at test time: integrity/test_hidden_code.py"
NO_OK_CASE: dict[str, str] = {"RG113": _HIDDEN_CODE}
NO_EXPECT_CASE = {
    "RG113": _HIDDEN_CODE,
    "RG803": "a key-shaped literal is never committed: production/test_fixture_apps.py "
             "writes the keys at test time",
}


@pytest.mark.parametrize("app", fixture_apps())
def test_every_finding_is_annotated_and_every_expectation_met(app: str) -> None:
    outcome = check_annotations(app_path(app), app_report(app), STABLE)
    TOLERATED.extend(f"{app}: {item}" for item in outcome.tolerated)
    assert not outcome.failures, "\n".join(outcome.failures)


def test_every_stable_rule_has_an_expect_and_an_ok_case() -> None:
    kinds: dict[str, set[str]] = {rule: set() for rule in STABLE}
    for app in fixture_apps():
        for annotation in collect(app_path(app)):
            kinds.setdefault(annotation.rule_id, set()).add(annotation.kind)
    lacking = [f"{rule}: no expect annotation" for rule, k in sorted(kinds.items())
               if "expect" not in k and rule not in NO_EXPECT_CASE]
    lacking += [f"{rule}: no ok annotation" for rule, k in sorted(kinds.items())
                if "ok" not in k and rule not in NO_OK_CASE]
    assert not lacking, "\n".join(lacking)


def test_the_apps_are_rails_apps_graded_without_internal_errors() -> None:
    for app in fixture_apps():
        report = app_report(app)
        assert report.app_root is not None, f"{app} is not detected as a Rails app"
        internal = [d.message for d in report.diagnostics if d.kind == "internal"]
        assert not internal, f"{app}: {internal}"
