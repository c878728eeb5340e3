"""The typed vocabulary of a grading run: findings, evidence, scores, the report.

These records are the JSON contract that other scorers parse (``docs/report-schema.md``
is their JSON schema; pydantic validates a stored report against them, see
:mod:`rubygrade.records`). Field names are stable; add fields, never rename them.
Everything is frozen so a finding cannot be changed after the check that made it has
returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from rubygrade.records import Record

SCHEMA_VERSION = "1.0"


class Dimension(str, Enum):
    """The eight rubric dimensions, in rubric order."""

    DELIVERABLES = "deliverables"
    RUBYLLM = "rubyllm"
    TESTS = "tests"
    ERRORS = "errors"
    PERSISTENCE = "persistence"
    HOTWIRE = "hotwire"
    ARCHITECTURE = "architecture"
    PRODUCTION = "production"


DIMENSION_ORDER: tuple[Dimension, ...] = tuple(Dimension)


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: Most severe first, for picking a rule's worst finding.
SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Confidence(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding(Record):
    """A problem a check saw, with where, why and how to fix it."""

    rule_id: str
    dimension: Dimension
    severity: Severity
    message: str
    path: str
    line: int = field(metadata={"ge": 1})
    column: int = field(default=1, metadata={"ge": 1})
    end_line: int | None = None
    snippet: str = ""
    fix: str = ""
    confidence: Confidence = Confidence.HIGH
    data: dict[str, str] = field(default_factory=dict)
    suppressed: bool = False
    suppression_reason: str | None = None
    fingerprint: str = field(
        default="",
        metadata={"description": "Identity across runs: rule, path and the normalised flagged source (never"
                                 " the message or a line number), with an occurrence counter"})
    in_baseline: bool = field(
        default=False,
        metadata={"description": "Suppressed because the --baseline report already had it"})

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule_id, self.message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence(Record):
    """A good practice a check saw; the rubric may award points for it."""

    kind: str
    dimension: Dimension
    message: str
    path: str | None = None
    line: int | None = None
    data: dict[str, str] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, int, str]:
        return (self.kind, self.path or "", self.line or 0, self.message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic(Record):
    """Something about the run itself: a parse error, a skipped file, a limit hit."""

    kind: Literal[
        "parse_error", "skipped", "limit", "encoding", "catalogue", "project", "timing", "config",
        "internal"
    ]
    message: str
    path: str | None = None
    line: int | None = None

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path or "", self.line or 0, self.kind, self.message)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreChange(Record):
    """One line of a dimension's breakdown: what moved the score, by how much."""

    source: str  # a rule ID or an evidence kind
    points: float
    reason: str
    locations: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionScore(Record):
    key: Dimension
    name: str
    score: float
    max: float
    breakdown: list[ScoreChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class GradeChange(Record):
    """Something other than the shipped rubric, brief and rule set that changed this grade.

    A report lists every one, so a reader (or a leaderboard) can tell a grade under the
    benchmark's defaults from one the analysed repository or the caller adjusted.
    """

    kind: Literal["rubric", "brief", "disabled_rules", "selection", "exclude", "severity",
                  "suppression", "baseline", "catalogue_version", "limits"]
    source: Literal["repository", "command_line", "api"]
    detail: str
    path: str | None = None
    line: int | None = None
    rule_id: str | None = None

    def sort_key(self) -> tuple[str, str, str, int, str]:
        return (self.kind, self.source, self.path or "", self.line or 0, self.detail)


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolInfo(Record):
    name: str = "rubygrade"
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Report(Record):
    """The whole result of grading one repository."""

    schema_version: str = SCHEMA_VERSION
    tool: ToolInfo
    root: str = field(
        metadata={"description": "The analysed folder's name (never its absolute path, so copies of one "
                                 "repository give identical reports)"})
    app_root: str | None = field(
        default=None,
        metadata={"description": "The Rails app folder relative to the repository root"})
    ruby_llm_version: str | None = None
    ruby_llm_locked: str | None = None
    gems: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    dimensions: list[DimensionScore] = field(default_factory=list)
    total: float = field(
        default=0.0,
        metadata={"description": "The sum of the dimension scores, lowered by any rule ceiling in "
                                 "`ceilings`"})
    tier: str = "D"
    ceilings: list[ScoreChange] = field(
        default_factory=list,
        metadata={"description": "Rule ceilings on the total (e.g. RG113: a source file was not analysed); "
                                 "total = sum of dimension scores + sum of these points"})
    diagnostics: list[Diagnostic] = field(default_factory=list)
    grade_changes: list[GradeChange] = field(
        default_factory=list,
        metadata={"description": "What changed this grade besides the shipped rubric, brief and rules"})
    comparable: bool = field(
        default=True,
        metadata={"description": "False when the grade used a rubric or brief other than the shipped ones, "
                                 "or when configuration or suppressions changed the score, so it cannot be "
                                 "ranked beside default grades"})
