"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning accepts it).

One run; the driver lists every registered rule (help text from the rule's
docstring, ``helpUri`` its page at this release) plus any rule ID a stored
report mentions that this version does not know. Security rules carry
``security-severity`` and CWE tags, as GitHub code scanning reads them.

Locations are relative to ``%SRCROOT%``, the repository root. When the graded
folder is a sub-folder of the repository (``rubygrade grade apps/chat``), the
caller passes ``root_prefix="apps/chat/"`` and every URI starts with it, so
GitHub can place the alert; ``originalUriBaseIds`` then also names that folder
(``PROJECTROOT``). ``partialFingerprints`` come from the finding's fingerprint
(rule, path, normalised flagged source, occurrence). Suppressed findings are
kept with an ``inSource`` suppression (inline directive) or an ``external``
one (the baseline). Skipped and unparsed files are ``toolExecutionNotifications``;
problems with ``rubygrade:disable`` directives are ``toolConfigurationNotifications``.
The run's ``properties`` carry the grade: total, tier, dimensions, rule
``ceilings`` on the total, ``gradeChanges`` (what besides the shipped rubric,
brief and rules changed it) and ``comparable``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from rubygrade import fingerprint
from rubygrade.docsgen import RuleDocError, help_text, parse_rule_doc
from rubygrade.links import PROJECT_URL, rule_doc_url
from rubygrade.models import Diagnostic, Finding, GradeChange, Report
from rubygrade.safetext import sanitise
from rubygrade.selection import find_rule, registered_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = PROJECT_URL
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "rubygrade/v1"

#: Security rules: (CWE number, security-severity as GitHub reads it: CVSS-like 0.0-10.0).
SECURITY: dict[str, tuple[int, str]] = {
    "RG801": (79, "6.1"),   # LLM output rendered unescaped: cross-site scripting
    "RG602": (79, "6.1"),   # fetched text written to innerHTML: DOM cross-site scripting
    "RG802": (352, "8.8"),  # CSRF protection disabled for the whole app
    "RG803": (798, "7.5"),  # an API key committed in a file
    "RG110": (798, "7.5"),  # a .env or key file committed
    "RG112": (798, "5.3"),  # the compose file hard-codes the API key
}
_EXECUTION_KINDS = {"parse_error": "warning", "skipped": "warning", "limit": "warning",
                    "encoding": "warning", "internal": "error", "catalogue": "note", "project": "note"}


def _uri(path: str, prefix: str) -> str:
    return quote(prefix + path, safe="/", errors="surrogateescape")


def _rule_descriptor(rule_id: str) -> dict[str, Any]:
    rule = find_rule(rule_id)
    if rule is None:
        return {"id": rule_id, "shortDescription": {"text": f"{rule_id} (not in this rubygrade version)"}}
    tags = [rule.dimension.value]
    properties: dict[str, Any] = {"precision": _precision(rule.confidence.value)}
    if rule.id in SECURITY:
        cwe, severity = SECURITY[rule.id]
        tags = ["security", f"external/cwe/cwe-{cwe}", *tags]
        properties["security-severity"] = severity
    properties["tags"] = tags
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary() or rule.id},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "helpUri": rule_doc_url(rule.id),
        "properties": properties,
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


def _result(finding: Finding, print_: str, rule_index: dict[str, int], prefix: str) -> dict[str, Any]:
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
            "artifactLocation": {"uri": _uri(finding.path, prefix), "uriBaseId": "%SRCROOT%"},
            "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
        "properties": {"dimension": finding.dimension.value, "confidence": finding.confidence.value,
                       **({"data": dict(sorted(finding.data.items()))} if finding.data else {})},
    }
    if finding.suppressed:
        result["suppressions"] = [{"kind": "external" if finding.in_baseline else "inSource",
                                   "justification": finding.suppression_reason or ""}]
    return result


def _grade_change(change: GradeChange) -> dict[str, Any]:
    """A grade change with SARIF's camelCase keys; absent fields are left out."""
    out: dict[str, Any] = {"kind": change.kind, "source": change.source, "detail": change.detail}
    for key, value in (("path", change.path), ("line", change.line), ("ruleId", change.rule_id)):
        if value is not None:
            out[key] = value
    return out


def _notification(d: Diagnostic, prefix: str, level: str) -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "message": {"text": d.message},
                            "descriptor": {"id": d.kind}}
    if d.path:
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(d.path, prefix),
                                                         "uriBaseId": "%SRCROOT%"}}
        if d.line:
            location["region"] = {"startLine": d.line}
        note["locations"] = [{"physicalLocation": location}]
    return note


def _invocation(report: Report, prefix: str) -> dict[str, Any]:
    execution = [_notification(d, prefix, _EXECUTION_KINDS[d.kind]) for d in report.diagnostics
                 if d.kind in _EXECUTION_KINDS]
    configuration = [_notification(d, prefix, "warning") for d in report.diagnostics
                     if d.kind == "config"]
    invocation: dict[str, Any] = {"executionSuccessful": not any(d.kind == "internal"
                                                                 for d in report.diagnostics)}
    if execution:
        invocation["toolExecutionNotifications"] = execution
    if configuration:
        invocation["toolConfigurationNotifications"] = configuration
    return invocation


def to_dict(report: Report, root_prefix: str = "") -> dict[str, Any]:
    """The SARIF log; ``root_prefix`` is the graded folder relative to the repository root."""
    prefix = root_prefix.strip("/") + "/" if root_prefix.strip("/") else ""
    ids = sorted({r.id for r in registered_rules()} | {f.rule_id for f in report.findings})
    rule_index = {rule_id: i for i, rule_id in enumerate(ids)}
    bases: dict[str, Any] = {"%SRCROOT%": {
        "description": {"text": "The root of the analysed repository"}}}
    if prefix:
        bases["PROJECTROOT"] = {"uri": quote(prefix, safe="/", errors="surrogateescape"),
                                "uriBaseId": "%SRCROOT%",
                                "description": {"text": "The graded folder"}}
    prints = fingerprint.of(report.findings)
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "rubygrade", "version": report.tool.version, "semanticVersion": report.tool.version,
            "informationUri": INFORMATION_URI, "rules": [_rule_descriptor(i) for i in ids]}},
        "invocations": [_invocation(report, prefix)],
        "originalUriBaseIds": bases,
        "results": [_result(f, p, rule_index, prefix)
                    for f, p in zip(report.findings, prints, strict=True)],
        "properties": {
            "total": report.total, "tier": report.tier, "rubyLlmCatalogue": report.ruby_llm_version,
            "dimensions": {d.key.value: {"score": d.score, "max": d.max} for d in report.dimensions},
            "comparable": report.comparable,
            "gradeChanges": [_grade_change(c) for c in report.grade_changes],
            "ceilings": [{"ruleId": c.source, "points": c.points, "reason": c.reason,
                          "locations": c.locations} for c in report.ceilings]},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, root_prefix: str = "") -> str:
    return json.dumps(sanitise(to_dict(report, root_prefix)), indent=2, ensure_ascii=False) + "\n"
