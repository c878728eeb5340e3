"""Scoring: a pure function of (findings, evidence, rubric, brief) -> scores, total, tier.

No repository access here, so a stored report can be re-scored under a new
rubric in milliseconds (``rubygrade rescore``). Arithmetic, in order:

1. Findings that are suppressed, or whose confidence the rubric does not
   count, are skipped. A finding with ``data["shape"]`` is scored by the
   entry ``"RGnnn:shape"`` when the rubric has one, else by ``"RGnnn"``.
2. Per entry: ``points x count``, limited by the entry's ``cap``.
3. Evidence the same way, per kind, into the dimension the rubric names.
4. Each dimension starts at its maximum (``start = "max"``) or at zero, adds
   its changes, and is clamped to ``[0, max]``; the clamp is itself a line of
   the breakdown, so the breakdown always sums to ``score - start``.
5. Total = sum of dimensions, then lowered to the ``ceiling`` of any rule entry
   one of whose findings counts (the lowest wins; each is a line of
   ``Report.ceilings``); tier = the best tier whose threshold the total reaches.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Literal, NamedTuple

from rubygrade.models import DIMENSION_ORDER, DimensionScore, Evidence, Finding, Report, ScoreChange
from rubygrade.rubric import Rubric

if TYPE_CHECKING:
    from rubygrade.brief import Brief

MAX_LOCATIONS = 20


class Scored(NamedTuple):
    dimensions: list[DimensionScore]
    total: float
    tier: str


class ScoredWithCeilings(NamedTuple):
    scored: Scored
    ceilings: list[ScoreChange]  # rule ceilings that lowered (or held) the total


def _clamp_total(points: float, cap: float | None) -> float:
    if cap is None:
        return points
    return max(points, -abs(cap)) if points < 0 else min(points, abs(cap))


def _scored_key(finding: Finding, rubric: Rubric) -> str:
    shape = finding.data.get("shape")
    if shape and f"{finding.rule_id}:{shape}" in rubric.rules:
        return f"{finding.rule_id}:{shape}"
    return finding.rule_id


def counts(finding: Finding, rubric: Rubric) -> bool:
    """Whether a finding takes part in the score under this rubric."""
    return not finding.suppressed and finding.confidence.value in rubric.count_confidence


def score(findings: list[Finding], evidence: list[Evidence], rubric: Rubric,
          brief: Brief | None = None, *, rails: bool = True) -> Scored:
    """Dimension scores with their breakdown, the total (after ceilings) and the tier."""
    return score_with_ceilings(findings, evidence, rubric, brief, rails=rails).scored


def ceilings(findings: list[Finding], rubric: Rubric, subtotal: float) -> list[ScoreChange]:
    """The ceiling lines for ``subtotal`` (the sum of the dimensions), lowest ceiling last.

    Each line's points are what it took off the running total (0 when the total was
    already under it), so ``subtotal + sum(points)`` is the final total.
    """
    active: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if counts(finding, rubric):
            key = _scored_key(finding, rubric)
            spec = rubric.rules.get(key)
            if spec is not None and spec.ceiling is not None:
                active[key].append(finding)
    lines: list[ScoreChange] = []
    running = subtotal
    for key in sorted(active, key=lambda k: (-(rubric.rules[k].ceiling or 0.0), k)):
        spec, items = rubric.rules[key], active[key]
        ceiling = spec.ceiling or 0.0
        lowered = round(min(running, ceiling) - running, 2)
        running = round(running + lowered, 2)
        stands = "this finding stands" if len(items) == 1 else f"these {len(items)} findings stand"
        lines.append(ScoreChange(
            source=key, points=lowered,
            reason=f"{spec.why or items[0].message}: the total cannot exceed {ceiling:g} while {stands}",
            locations=sorted({f"{f.path}:{f.line}" for f in items})[:MAX_LOCATIONS]))
    return lines


def score_with_ceilings(findings: list[Finding], evidence: list[Evidence], rubric: Rubric,
                        brief: Brief | None = None, *, rails: bool = True) -> ScoredWithCeilings:
    """Dimension scores with their breakdown, the total and the tier, and the ceiling lines.

    ``brief`` is accepted so the signature names every input of a grade; the
    default arithmetic does not depend on it (the checks already read it).
    ``rails=False`` (no Rails app was found) scores every dimension 0: a
    folder with nothing to grade must not inherit full "start at max" marks.
    """
    del brief
    if not rails:
        zero = [DimensionScore(key=dim, name=rubric.dimensions[dim].name, score=0.0,
                               max=rubric.dimensions[dim].max,
                               breakdown=[ScoreChange(source="not_rails", points=0.0,
                                                      reason="no Rails app found: nothing to grade")])
                for dim in DIMENSION_ORDER]
        return ScoredWithCeilings(Scored(zero, 0.0, rubric.tier_for(0.0)), [])
    changes: dict[str, list[ScoreChange]] = defaultdict(list)

    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if counts(finding, rubric):
            by_rule[_scored_key(finding, rubric)].append(finding)
    for key in sorted(by_rule):
        spec = rubric.rules.get(key)
        if spec is None or spec.points == 0:
            continue
        items = by_rule[key]
        points = _clamp_total(spec.points * len(items), spec.cap)
        changes[items[0].dimension.value].append(ScoreChange(
            source=key, points=round(points, 2),
            reason=_reason(spec.why or items[0].message, len(items), spec.points, points),
            locations=sorted({f"{f.path}:{f.line}" for f in items})[:MAX_LOCATIONS]))

    by_kind: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_kind[item.kind].append(item)
    for kind in sorted(by_kind):
        spec_e = rubric.evidence.get(kind)
        if spec_e is None or spec_e.points == 0:
            continue
        items_e = by_kind[kind]
        points = _clamp_total(spec_e.points * len(items_e), spec_e.cap)
        changes[spec_e.dimension.value].append(ScoreChange(
            source=kind, points=round(points, 2),
            reason=_reason(spec_e.why or items_e[0].message, len(items_e), spec_e.points, points),
            locations=sorted({f"{e.path}:{e.line}" for e in items_e if e.path})[:MAX_LOCATIONS]))

    dimensions: list[DimensionScore] = []
    for dim in DIMENSION_ORDER:
        spec_d = rubric.dimensions[dim]
        base = spec_d.max if spec_d.start == "max" else 0.0
        lines = changes[dim.value]
        raw = round(base + sum(c.points for c in lines), 2)
        value = round(min(max(raw, 0.0), spec_d.max), 2)
        if value != raw:
            bound = "floor at 0" if value == 0 else f"ceiling at the maximum {spec_d.max:g}"
            lines.append(ScoreChange(source="clamp", points=round(value - raw, 2),
                                     reason=f"dimension clamped ({bound})"))
        dimensions.append(DimensionScore(key=dim, name=spec_d.name, score=value, max=spec_d.max,
                                         breakdown=lines))
    subtotal = round(sum(d.score for d in dimensions), 2)
    lines_c = ceilings(findings, rubric, subtotal)
    total = round(subtotal + sum(c.points for c in lines_c), 2)
    return ScoredWithCeilings(Scored(dimensions, total, rubric.tier_for(total)), lines_c)


def _reason(why: str, count: int, each: float, points: float) -> str:
    if count == 1:
        return why
    capped = " (capped)" if round(each * count, 2) != round(points, 2) else ""
    return f"{why}: {count} x {each:g}{capped}"


def rescore(report: Report, rubric: Rubric, brief: Brief | None = None, *,
            source: Literal["command_line", "api"] = "api") -> Report:
    """The same report scored under another rubric; findings and evidence are untouched.

    The report's grade changes name the new rubric when it is not the shipped one, and
    ``comparable`` is recomputed (see :func:`rubygrade.integrity.rescored_comparable`).
    """
    from rubygrade.integrity import rescored_changes

    rails = report.app_root is not None
    scored, lines = score_with_ceilings(report.findings, report.evidence, rubric, brief, rails=rails)
    dimensions, total, tier = scored
    changes, comparable = rescored_changes(report, rubric, source, scored)
    return report.model_copy(update={"dimensions": dimensions, "total": total, "tier": tier,
                                     "ceilings": lines, "grade_changes": changes,
                                     "comparable": comparable})
