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
    problems = [d for d in report.diagnostics if d.kind != "timing"]
    if problems:
        lines.append("")
        lines.append(c("dim", f"{len(problems)} diagnostics (parse errors, skipped files); "
                              "see --format json"))
    return "\n".join(lines) + "\n"
