"""Text for people: findings grouped by dimension, then the score table (with any
rule ceiling on the total) and the "Grade changed by:" block (whatever besides the
shipped rubric, brief and rules changed the grade).

Each finding is one line a terminal or an editor can jump to,
``path:line:col: RG401 error message``. At most ``per_rule`` lines are shown
per rule (``--verbose`` shows all), so a thousand findings of one rule never
hide the one finding of another. File names are printed with control
characters escaped. Colour only when asked (the CLI decides: a terminal,
``--color``, ``NO_COLOR``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from rubygrade import integrity
from rubygrade.models import DIMENSION_ORDER, SEVERITY_RANK, Diagnostic, Finding, Report, Severity
from rubygrade.safetext import printable

_COLOURS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "path": "1"}
PER_RULE = 10
#: Diagnostics that describe the run rather than a problem with the input.
INFORMATIONAL = ("timing", "project")

LinesOf = Callable[[str], Sequence[str] | None]


class _Painter:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, code: str, text: str) -> str:
        return f"\x1b[{_COLOURS[code]}m{text}\x1b[0m" if self.colour else text


def finding_line(f: Finding, paint: _Painter | None = None) -> str:
    """``path:line:col: RG401 error message`` (the form editors and pre-commit users expect)."""
    c = paint or _Painter(False)
    where = f"{printable(f.path)}:{f.line}:{f.column}:"
    return (f"{c('path', where)} {c(f.severity.value, f.rule_id)} {c(f.severity.value, f.severity.value)} "
            f"{printable(f.message)}")


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
                   f"{printable(change.detail)}{printable(where)}")
    if len(report.grade_changes) > len(shown):
        out.append(f"  ... {len(report.grade_changes) - len(shown)} more (use --verbose or "
                   "--format json)")
    out.append("  Not comparable with grades under the shipped rubric, brief and rules."
               if not report.comparable else
               "  Comparable: the shipped rubric and brief, and no configuration or suppression "
               "moved the score.")
    return out


def source_block(f: Finding, lines_of: LinesOf | None, paint: _Painter | None = None) -> list[str]:
    """The flagged line with its number and a caret under the column (Ruff's --show-source)."""
    c = paint or _Painter(False)
    lines = lines_of(f.path) if lines_of else None
    if lines is not None and 0 < f.line <= len(lines):
        text, caret = printable(lines[f.line - 1].rstrip("\r\n")), True
    elif f.snippet:
        text, caret = printable(f.snippet), False
    else:
        return []
    width = len(str(f.line))
    gutter = " " * width
    out = [c("dim", f"  {gutter} |"), f"  {c('dim', str(f.line))} | {text}"]
    if caret:
        out.append(c("dim", f"  {gutter} | ") + " " * (f.column - 1) + c(f.severity.value, "^"))
    return out


def diagnostic_line(d: Diagnostic) -> str:
    where = printable(d.path) + (f":{d.line}" if d.line else "") + ": " if d.path else ""
    return f"{where}{d.kind}: {printable(d.message)}"


def statistics(report: Report) -> list[tuple[str, str, str, int]]:
    """(rule ID, severity, name, count) of the unsuppressed findings, most frequent first."""
    from rubygrade.selection import find_rule

    counts: dict[str, int] = defaultdict(int)
    worst: dict[str, Severity] = {}
    for f in report.findings:
        if f.suppressed:
            continue
        counts[f.rule_id] += 1
        if f.rule_id not in worst or SEVERITY_RANK[f.severity] < SEVERITY_RANK[worst[f.rule_id]]:
            worst[f.rule_id] = f.severity
    rows = []
    for rule_id, count in counts.items():
        rule = find_rule(rule_id)
        rows.append((rule_id, worst[rule_id].value, rule.name if rule else "", count))
    return sorted(rows, key=lambda r: (-r[3], r[0]))


def render_statistics(report: Report) -> str:
    rows = statistics(report)
    if not rows:
        return "No findings.\n"
    width = max(len(str(r[3])) for r in rows)
    return "".join(f"{count:>{width}}\t{rule_id}\t{severity}\t{name}\n"
                   for rule_id, severity, name, count in rows)


def render(report: Report, colour: bool = False, verbose: bool = False, quiet: bool = False,
           show_source: bool = False, lines_of: LinesOf | None = None,
           per_rule: int = PER_RULE) -> str:
    c = _Painter(colour)
    lines: list[str] = []
    if not quiet:
        lines.append(c("bold", f"rubygrade {report.tool.version}: {printable(report.root)}"))
        if report.app_root:
            lines.append(f"Rails app in sub-folder: {printable(report.app_root)}/")
        if report.ruby_llm_version:
            locked = report.ruby_llm_locked or "not locked"
            if len(locked) > 40:
                locked = locked[:20] + "..."
            lines.append(f"ruby_llm: catalogue {report.ruby_llm_version} (Gemfile.lock: {printable(locked)})")
    active = [f for f in report.findings if not f.suppressed]
    by_dim: dict[str, list[Finding]] = defaultdict(list)
    for finding in active:
        by_dim[finding.dimension.value].append(finding)
    for dim in DIMENSION_ORDER:
        items = by_dim.get(dim.value, [])
        if not items:
            continue
        if not quiet:
            lines.append("")
            lines.append(c("bold", f"{dim.value} ({len(items)})"))
        shown: dict[str, int] = defaultdict(int)
        hidden: dict[str, int] = defaultdict(int)
        for f in items:
            if not verbose and shown[f.rule_id] >= per_rule:
                hidden[f.rule_id] += 1
                continue
            shown[f.rule_id] += 1
            lines.append(("" if quiet else "  ") + finding_line(f, c))
            if show_source:
                lines.extend(source_block(f, lines_of, c))
            if verbose and f.fix:
                lines.append(c("dim", f"      fix: {printable(f.fix)}"))
        for rule_id, count in sorted(hidden.items()):
            lines.append(c("dim", f"  ... {count} more {rule_id} finding(s) (use --verbose to see all)"))
    inline = sum(1 for f in report.findings if f.suppressed and not f.in_baseline)
    baselined = sum(1 for f in report.findings if f.in_baseline)
    if quiet:
        lines.append(f"total {report.total:g} / 100, tier {report.tier}")
        if not report.comparable:
            lines.append(f"not comparable: {printable(integrity.summary(report.grade_changes))}")
        return "\n".join(lines) + "\n"
    if not active:
        lines += ["", "No findings."]
    if inline:
        lines.append(c("dim", f"{inline} finding(s) suppressed inline (see --format json)"))
    if baselined:
        lines.append(c("dim", f"{baselined} finding(s) already in the baseline, not shown"))
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
    problems = [d for d in report.diagnostics if d.kind not in INFORMATIONAL]
    if verbose:
        shown_diags = [d for d in report.diagnostics if d.kind != "timing"]
        if shown_diags:
            lines += ["", c("bold", f"diagnostics ({len(shown_diags)})")]
            lines += [c("dim", "  " + diagnostic_line(d)) for d in shown_diags]
    elif problems:
        lines.append("")
        lines.append(c("dim", f"{len(problems)} diagnostic(s) (parse errors, skipped files, "
                              "directives); use --verbose to list them"))
    return "\n".join(lines) + "\n"
