"""Deliverables on the fixture apps: one RG106 finding per missing gem, each naming it."""

from __future__ import annotations

from annotations import app_report


def test_one_required_gem_finding_per_missing_gem() -> None:
    gems = sorted(f.data["gem"] for f in app_report("bad_deliverables").findings
                  if f.rule_id == "RG106")
    assert gems == ["brakeman", "bundler-audit", "rubocop", "simplecov", "stimulus-rails",
                    "tailwindcss"]
    nested = [f.data["gem"] for f in app_report("nested_app").findings if f.rule_id == "RG106"]
    assert nested == ["tailwindcss"]  # cssbundling-rails without tailwind in package.json
