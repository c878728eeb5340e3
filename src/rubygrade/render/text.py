"""Text for people: findings grouped by dimension, then the score table."""

from __future__ import annotations

import os
import sys
from collections import defaultdict

from rubygrade.models import DIMENSION_ORDER, Finding, Report

_COLOURS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2"}


def _use_colour(colour: bool | None) -> bool:
    if colour is not None:
        return colour
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


MAX_CHANGES = 10


def _grade_changes(report: Report, verbose: bool) -> list[str]:
    """The "Grade changed by:" block: every input besides the shipped defaults, and its effect."""
    if not report.grade_changes and report.comparable:
        return []
    out = ["", "Grade changed by:"]
    shown = report.grade_changes if verbose else report.grade_changes[:MAX_CHANGES]
    for change in shown:
        where = f" ({change.path}:{change.line})" if change.path and change.line else \
            (f" ({change.path})" if change.path else "")
        out.append(f"  {change.source.replace('_', '-')} {change.kind.replace('_', ' ')}: "
                   f"{change.detail}{where}")
    if len(report.grade_changes) > len(shown):
        out.append(f"  ... {len(report.grade_changes) - len(shown)} more (use --verbose or "
                   "--format json)")
    out.append("  Not comparable with grades under the shipped rubric, brief and rules."
               if not report.comparable else
               "  Comparable: the shipped rubric and brief, and no configuration or suppression "
               "moved the score.")
    return out


def render(report: Report, colour: bool | None = None, verbose: bool = False,
           limit: int = 40) -> str:
    paint = _use_colour(colour)

    def c(code: str, s: str) -> str:
        return f"\x1b[{_COLOURS[code]}m{s}\x1b[0m" if paint else s

    lines: list[str] = []
    lines.append(c("bold", f"rubygrade {report.tool.version}: {report.root}"))
    if report.app_root:
        lines.append(f"Rails app in sub-folder: {report.app_root}/")
    if report.ruby_llm_version:
        locked = report.ruby_llm_locked or "not locked"
        lines.append(f"ruby_llm: catalogue {report.ruby_llm_version} (Gemfile.lock: {locked})")
    active = [f for f in report.findings if not f.suppressed]
    by_dim: dict[str, list[Finding]] = defaultdict(list)
    for finding in active:
        by_dim[finding.dimension.value].append(finding)
    shown = 0
    hidden = 0
    for dim in DIMENSION_ORDER:
        items = by_dim.get(dim.value, [])
        if not items:
            continue
        lines.append("")
        lines.append(c("bold", f"{dim.value} ({len(items)})"))
        for f in items:
            if not verbose and shown >= limit:
                hidden += 1
                continue
            shown += 1
            lines.append(f"  {f.path}:{f.line}: {c(f.severity.value, f.rule_id)} {f.message}")
            if verbose and f.fix:
                lines.append(c("dim", f"      fix: {f.fix}"))
    if hidden:
        lines.append(c("dim", f"  ... {hidden} more (use --verbose to see all)"))
    suppressed = len(report.findings) - len(active)
    if suppressed:
        lines.append(c("dim", f"{suppressed} finding(s) suppressed inline (see --format json)"))
    lines.append("")
    lines.append(c("bold", "score"))
    for d in report.dimensions:
        lines.append(f"  {d.name:<36} {d.score:>5g} / {d.max:g}")
        if verbose:  # the breakdown: what moved this dimension, by how much
            for change in d.breakdown:
                lines.append(c("dim", f"      {change.points:+g} {change.source}: {change.reason}"))
    for ceiling in report.ceilings:
        lines.append(f"  {'ceiling ' + ceiling.source:<36} {ceiling.points:>+5g}   {ceiling.reason}")
    lines.append(c("bold", f"  {'total':<36} {report.total:>5g} / 100   tier {report.tier}"))
    lines.extend(_grade_changes(report, verbose))
    problems = [d for d in report.diagnostics if d.kind != "timing"]
    if problems:
        lines.append("")
        lines.append(c("dim", f"{len(problems)} diagnostics (parse errors, skipped files); "
                              "see --format json"))
    return "\n".join(lines) + "\n"
