"""A Markdown audit that reads like a reviewer's, under about 800 words, citing file:line.

Sections: a one-line summary, the eight scores with one justification each
(the change that moved the dimension most, with its location), total and
tier (and any rule ceiling on it), what besides the shipped rubric, brief and
rules changed the grade, a verification section for every API claim (the
catalogue version and what the gem really offers, and the claims suppressed
inline), then the strongest and the weakest point.

It renders the report and nothing else: an API claim is a finding whose ``data``
names the ``catalogue`` it was checked against, with the real ``signature`` or the
``nearest`` real names the rule found there.
"""

from __future__ import annotations

from rubygrade.models import DimensionScore, Evidence, Finding, Report, ScoreChange

MAX_CLAIMS = 8
MAX_CHANGES = 8


def _grade_changes(report: Report) -> list[str]:
    """The section naming every input besides the shipped defaults (empty for a default grade)."""
    if not report.grade_changes and report.comparable:
        return []
    lines = ["## What changed this grade", ""]
    if report.comparable:
        lines.append("Comparable: the shipped rubric and brief, and no configuration or suppression "
                   "moved the score.")
    else:
        lines.append("**Not comparable** with grades under the shipped rubric, brief and rules: "
                     "the inputs below moved the score.")
    lines.append("")
    for change in report.grade_changes[:MAX_CHANGES]:
        where = f" (`{change.path}:{change.line}`)" if change.path and change.line else \
            (f" (`{change.path}`)" if change.path else "")
        lines.append(f"- {change.source.replace('_', '-')} {change.kind.replace('_', ' ')}: "
                     f"{change.detail}{where}")
    if len(report.grade_changes) > MAX_CHANGES:
        lines.append(f"- … and {len(report.grade_changes) - MAX_CHANGES} more (see the JSON report).")
    return [*lines, ""]


#: How the API rules separate several names in one ``Finding.data`` value.
_SEPARATOR = "; "


def _cite(change: ScoreChange) -> str:
    if not change.locations:
        return ""
    more = len(change.locations) - 1
    return f" (`{change.locations[0]}`" + (f" and {more} more)" if more else ")")


def _justify(dim: DimensionScore, evidence: list[Evidence]) -> str:
    penalties = sorted((c for c in dim.breakdown if c.points < 0 and c.source != "clamp"),
                       key=lambda c: (c.points, c.source))
    awards = sorted((c for c in dim.breakdown if c.points > 0 and c.source != "clamp"),
                    key=lambda c: (-c.points, c.source))
    if penalties:
        top = penalties[0]
        extra = "".join(f"; {c.points:g}{_cite(c)}" for c in penalties[1:3])
        return f"{top.points:g} {top.reason}{_cite(top)}{extra}."
    if awards:
        return f"+{awards[0].points:g} {awards[0].reason}{_cite(awards[0])}" + (
            f"; {len(awards) - 1} more award(s)." if len(awards) > 1 else ".")
    seen = [e for e in evidence if e.dimension == dim.key and e.path]
    if seen:
        first = seen[0]
        return f"No penalty; {first.message.rstrip('.')} (`{first.path}:{first.line or 1}`)."
    if dim.score >= dim.max:
        return "No penalty found."
    return "No evidence of the expected practice was found."


def _names(value: str) -> list[str]:
    return [f"`{name}`" for name in value.split(_SEPARATOR) if name]


def _verify(finding: Finding) -> str:
    """One API claim and what the catalogue it was checked against offers instead, from the
    facts the rule put in ``finding.data``."""
    data = finding.data
    version = data["catalogue"]
    head = f"- `{finding.path}:{finding.line}` {finding.rule_id}: {finding.message}"
    if "signature" in data:
        return f"{head} Catalogue {version}: real signature `{data.get('receiver', '')}` " \
               f"`{data['signature']}`."
    if "nearest" in data and "method" in data:
        offer = ", ".join(_names(data["nearest"])) or "no similar method"
        return f"{head} Catalogue {version}: `{data.get('receiver', '')}` has no " \
               f"`{data['method']}`; nearest real: {offer}."
    if "nearest" in data:
        offer = ", ".join(_names(data["nearest"])) or "nothing similar"
        return f"{head} Catalogue {version}: no such constant; nearest real: {offer}."
    return f"{head} (catalogue {version})"


def render(report: Report) -> str:
    active = [f for f in report.findings if not f.suppressed]
    errors = sum(1 for f in active if f.severity.value == "error")
    dims = report.dimensions
    ratio = {d.key: d.score / d.max if d.max else 0.0 for d in dims}
    strongest = max(dims, key=lambda d: (ratio[d.key], d.max)) if dims else None
    weakest = min(dims, key=lambda d: (ratio[d.key], -d.max)) if dims else None
    lines = [f"# rubygrade audit: {report.root}", ""]
    if report.app_root is None:
        verdict = (f"**{report.total:g}/100, tier {report.tier}**: not a Rails app (no "
                   "config/application.rb, no Gemfile beside app/): nothing was graded.")
        return "\n".join([*lines, verdict, ""])
    summary = (f"**{report.total:g}/100, tier {report.tier}**: {len(active)} finding(s), "
               f"{errors} error(s)")
    if strongest and weakest:
        summary += f"; strongest {strongest.name.lower()}, weakest {weakest.name.lower()}."
    if not report.comparable:
        summary += " Not comparable with default grades (see below)."
    lines += [summary, ""]
    lines += ["## Scores", "", "| Dimension | Score | Justification |", "|---|---:|---|"]
    for d in dims:
        why = _justify(d, report.evidence).replace("|", "/")
        lines.append(f"| {d.name} | {d.score:g}/{d.max:g} | {why} |")
    lines += ["", f"**Total: {report.total:g}/100, tier {report.tier}.**", ""]
    for ceiling in report.ceilings:
        where = f" (`{ceiling.locations[0]}`)" if ceiling.locations else ""
        lines += [f"Ceiling {ceiling.source}: {ceiling.reason}{where}; {ceiling.points:g} points.", ""]
    lines += _grade_changes(report)

    claims = [f for f in active if f.data.get("catalogue")]
    hidden = [f for f in report.findings if f.suppressed and f.data.get("catalogue")]
    lines += ["## Verification of API claims", ""]
    if not claims:
        version = report.ruby_llm_version or "none resolved"
        lines.append(f"No invented RubyLLM API found (catalogue {version})"
                     + (" outside the suppressed findings below." if hidden else "."))
    else:
        lines += [_verify(f) for f in claims[:MAX_CLAIMS]]
        if len(claims) > MAX_CLAIMS:
            lines.append(f"- … and {len(claims) - MAX_CLAIMS} more (see the JSON report).")
    if hidden:
        lines += ["", f"Suppressed inline, not counted ({len(hidden)}):"]
        lines += [f"- `{f.path}:{f.line}` {f.rule_id}: {f.message} Reason given: "
                  f"{f.suppression_reason or 'none'}." for f in hidden[:MAX_CLAIMS]]
    lines.append("")
    if strongest and weakest:
        for title, dim in (("Strongest point", strongest), ("Weakest point", weakest)):
            lines += [f"## {title}", "",
                      f"{dim.name} ({dim.score:g}/{dim.max:g}): {_justify(dim, report.evidence)}", ""]
    return "\n".join(lines)
