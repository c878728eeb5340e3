"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning accepts it).

One run; the driver lists every registered rule (help text from the rule's
docstring) plus any rule ID a stored report mentions that this version does
not know. Locations are relative to the repository root (``%SRCROOT%``).
Suppressed findings are kept with an ``inSource`` suppression, as SARIF wants.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from rubygrade.checks.base import all_rules
from rubygrade.docsgen import RuleDocError, help_text, parse_rule_doc
from rubygrade.models import Finding, GradeChange, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/rubygrade/rubygrade"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_descriptor(rule_id: str) -> dict[str, Any]:
    from rubygrade.checks.base import rule_by_id

    rule = rule_by_id(rule_id)
    if rule is None:
        return {"id": rule_id, "shortDescription": {"text": f"{rule_id} (not in this rubygrade version)"}}
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary() or rule.id},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "helpUri": f"{INFORMATION_URI}/blob/main/docs/rules/{rule.id}.md",
        "properties": {"tags": [rule.dimension.value], "precision": _precision(rule.confidence.value)},
    }
    try:
        text, markdown = help_text(rule)
        descriptor["fullDescription"] = {"text": " ".join(parse_rule_doc(rule).what.split())}
        descriptor["help"] = {"text": text, "markdown": markdown}
    except RuleDocError:
        pass
    return descriptor


def _precision(confidence: str) -> str:
    return {"high": "high", "medium": "medium", "low": "low"}.get(confidence, "medium")


def _fingerprint(finding: Finding) -> str:
    """Stable across line moves: rule, file and the trimmed code of the line."""
    key = f"{finding.rule_id}\0{finding.path}\0{finding.snippet.strip()}\0{finding.message}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line, "startColumn": finding.column}
    if finding.end_line and finding.end_line >= finding.line:
        region["endLine"] = finding.end_line
    if finding.snippet:
        region["snippet"] = {"text": finding.snippet}
    message = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": LEVELS[finding.severity.value],
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"},
            "region": region}}],
        "partialFingerprints": {"rubygrade/v1": _fingerprint(finding)},
        "properties": {"dimension": finding.dimension.value, "confidence": finding.confidence.value,
                       **({"data": dict(sorted(finding.data.items()))} if finding.data else {})},
    }
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource",
                                   "justification": finding.suppression_reason or ""}]
    return result


def _grade_change(change: GradeChange) -> dict[str, Any]:
    """A grade change with SARIF's camelCase keys; absent fields are left out."""
    out: dict[str, Any] = {"kind": change.kind, "source": change.source, "detail": change.detail}
    for key, value in (("path", change.path), ("line", change.line), ("ruleId", change.rule_id)):
        if value is not None:
            out[key] = value
    return out


def to_dict(report: Report) -> dict[str, Any]:
    ids = sorted({r.id for r in all_rules()} | {f.rule_id for f in report.findings})
    rule_index = {rule_id: i for i, rule_id in enumerate(ids)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "rubygrade", "version": report.tool.version, "semanticVersion": report.tool.version,
            "informationUri": INFORMATION_URI, "rules": [_rule_descriptor(i) for i in ids]}},
        "originalUriBaseIds": {"%SRCROOT%": {
            "description": {"text": "The root of the analysed repository"}}},
        "results": [_result(f, rule_index) for f in report.findings],
        "properties": {
            "total": report.total, "tier": report.tier, "rubyLlmCatalogue": report.ruby_llm_version,
            "dimensions": {d.key.value: {"score": d.score, "max": d.max} for d in report.dimensions},
            "comparable": report.comparable,
            "gradeChanges": [_grade_change(c) for c in report.grade_changes],
            "ceilings": [{"ruleId": c.source, "points": c.points, "reason": c.reason,
                          "locations": c.locations} for c in report.ceilings]},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
