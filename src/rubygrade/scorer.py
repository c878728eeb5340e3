"""Scoring: a pure function of findings, evidence and the rubric.

No repository access here, so a stored report can be re-scored under a new
rubric in milliseconds (``rubygrade rescore``).
"""

from __future__ import annotations

from collections import defaultdict

from rubygrade.models import DIMENSION_ORDER, DimensionScore, Evidence, Finding, ScoreChange
from rubygrade.rubric import Rubric


def _clamp_total(points: float, cap: float | None) -> float:
    if cap is None:
        return points
    return max(points, -abs(cap)) if points < 0 else min(points, abs(cap))


def score(
    findings: list[Finding], evidence: list[Evidence], rubric: Rubric
) -> tuple[list[DimensionScore], float, str]:
    """Dimension scores with their breakdown, the total and the tier."""
    changes: dict[str, list[ScoreChange]] = defaultdict(list)

    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.suppressed or finding.confidence.value not in rubric.count_confidence:
            continue
        shaped = f"{finding.rule_id}:{finding.data.get('shape', '')}"
        by_rule[shaped if shaped in rubric.rules else finding.rule_id].append(finding)
    for rule_id in sorted(by_rule):
        spec = rubric.rules.get(rule_id)
        if spec is None or spec.points == 0:
            continue
        items = by_rule[rule_id]
        points = _clamp_total(spec.points * len(items), spec.cap)
        changes[items[0].dimension.value].append(ScoreChange(
            source=rule_id, points=round(points, 2),
            reason=spec.why or items[0].message,
            locations=sorted({f"{f.path}:{f.line}" for f in items})[:20]))

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
            source=kind, points=round(points, 2), reason=spec_e.why or items_e[0].message,
            locations=sorted({f"{e.path}:{e.line}" for e in items_e if e.path})[:20]))

    dimensions: list[DimensionScore] = []
    for dim in DIMENSION_ORDER:
        spec_d = rubric.dimensions[dim]
        base = spec_d.max if spec_d.start == "max" else 0.0
        raw = base + sum(c.points for c in changes[dim.value])
        value = round(min(max(raw, 0.0), spec_d.max), 2)
        dimensions.append(DimensionScore(key=dim, name=spec_d.name, score=value, max=spec_d.max,
                                         breakdown=changes[dim.value]))
    total = round(sum(d.score for d in dimensions), 2)
    return dimensions, total, rubric.tier_for(total)
