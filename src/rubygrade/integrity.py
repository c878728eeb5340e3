"""What changed a grade, and whether it still compares with grades under the shipped defaults.

A grade is "comparable" when it was computed with the shipped rubric and brief
and nothing else (the repository's configuration, its inline suppressions, rules
the caller turned off) changed the score. Every such input is recorded as a
:class:`~rubygrade.models.GradeChange` on the report, whether or not it moved the
score; ``Report.comparable`` says whether the score moved. The engine decides by
scoring twice: once as graded, once with every finding of every rule and no
configuration or suppression (a pure function of the findings, so it is cheap).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rubygrade.models import GradeChange, Report

if TYPE_CHECKING:
    from rubygrade.brief import Brief
    from rubygrade.rubric import Rubric
    from rubygrade.scorer import Scored

Source = Literal["repository", "command_line", "api"]
#: Kinds that never make a grade incomparable: the caller's catalogue and limits (a limit
#: that hides code triggers RG113, whose ceiling already keeps the grade down).
NEUTRAL_KINDS = frozenset({"catalogue_version", "limits"})


@cache
def shipped_rubric() -> Rubric:
    from rubygrade.rubric import load_rubric

    return load_rubric()


@cache
def shipped_brief() -> Brief:
    from rubygrade.brief import load_brief

    return load_brief()


def is_shipped_rubric(rubric: Rubric) -> bool:
    return rubric == shipped_rubric()


def is_shipped_brief(brief: Brief) -> bool:
    return brief == shipped_brief()


def config_file_present(root: Path) -> str | None:
    """The repository's configuration file, if it has one (looked at, never loaded)."""
    if (root / ".rubygrade.toml").is_file():
        return ".rubygrade.toml"
    pyproject = root / "pyproject.toml"
    try:
        if pyproject.is_file() and "[tool.rubygrade" in pyproject.read_text("utf-8", "replace"):
            return "pyproject.toml"
    except OSError:
        return None
    return None


def summary(changes: list[GradeChange]) -> str:
    """A short phrase: ``repository rubric, 2 repository suppressions, command-line limits``."""
    counts = Counter((c.source, c.kind) for c in changes)
    parts = []
    for (source, kind), count in sorted(counts.items()):
        who = source.replace("_", "-")
        what = kind.replace("_", " ")
        plural = what if what.endswith("s") else f"{what}s"  # "disabled rules", "limits"
        parts.append(f"{who} {what}" if count == 1 else f"{count} {who} {plural}")
    return ", ".join(parts)


def note(changes: list[GradeChange], comparable: bool) -> str:
    """One line for a leaderboard cell or a text report: empty for a default grade."""
    if not changes:
        return ""
    prefix = "" if comparable else "not comparable: "
    return prefix + summary(changes)


def same_score(a: Scored, b: Scored) -> bool:
    """The same total, tier and dimension scores (breakdowns may differ)."""
    return (a.total, a.tier, [d.score for d in a.dimensions]) == \
        (b.total, b.tier, [d.score for d in b.dimensions])


def rescored_changes(report: Report, rubric: Rubric, source: Source,
                     scored: Scored) -> tuple[list[GradeChange], bool]:
    """The grade changes and comparability of ``report`` re-scored under ``rubric``.

    The stored report's rubric change (if any) is replaced by the new one. The stored
    findings are all there is: excluded findings and those of disabled rules are gone,
    so a report changed by either is never made comparable again. Suppressions are
    undone in memory to see whether they move the new score.
    """
    from rubygrade.scorer import score

    shipped = is_shipped_rubric(rubric)
    changes = [c for c in report.grade_changes if c.kind != "rubric"]
    if not shipped:
        changes.append(GradeChange(kind="rubric", source=source,
                                   detail=f"re-scored under the rubric {rubric.name!r}"))
    changes.sort(key=lambda c: c.sort_key())
    if not shipped:
        return changes, False
    stored_rubric_changed = any(c.kind == "rubric" for c in report.grade_changes)
    if report.comparable and not stored_rubric_changed:
        return changes, True
    others = {c.kind for c in changes} - NEUTRAL_KINDS
    if not others <= {"severity", "suppression", "baseline"}:
        return changes, False
    unsuppressed = [f.model_copy(update={"suppressed": False, "suppression_reason": None,
                                         "in_baseline": False})
                    for f in report.findings]
    raw = score(unsuppressed, report.evidence, rubric, rails=report.app_root is not None)
    return changes, same_score(raw, scored)
