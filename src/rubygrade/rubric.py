"""The rubric as data (``rules/rubric.toml``): dimension maxima, points per rule and evidence, tiers.

A dimension starts either full (``start = "max"``: penalties take points
away) or empty (``start = "zero"``: evidence earns points). Each rule's
``points`` apply per finding up to its ``cap`` (the most it can move the
score in total); each dimension is clamped to ``[0, max]`` so a bonus never
lifts it over its maximum. A rule's ``ceiling`` caps the total itself while one
of its findings counts (RG113: hidden code must never raise a grade). A dimension's
``requires`` names evidence the app must show before the dimension earns anything:
error handling with no LLM call has nothing to guard and scores 0, not full marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rubygrade.config import DataFileError, load_model
from rubygrade.models import Dimension
from rubygrade.paths import rules_dir
from rubygrade.records import Record

#: Confidences whose findings count unless a rubric says otherwise.
_COUNTED: tuple[Literal["high", "medium", "low"], ...] = ("high", "medium")


class RubricError(DataFileError):
    """A rubric file that cannot be read or is not valid; the message names file and key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionSpec(Record):
    name: str
    max: float = field(metadata={"gt": 0})
    start: Literal["max", "zero"] = "max"
    requires: list[str] = field(
        default_factory=list,
        metadata={"description": "Evidence kinds of which the app must show one before the dimension earns "
                                 "anything: without them it scores 0 (a dimension with nothing to judge "
                                 "earns nothing)"})
    requires_why: str = field(
        default="",
        metadata={"description": "Why the dimension earned nothing when ``requires`` is unmet"})


@dataclass(frozen=True, slots=True, kw_only=True)
class RulePoints(Record):
    points: float = field(metadata={"description": "Points per finding; negative takes points away"})
    cap: float | None = field(default=None, metadata={"description": "Largest total effect of this rule"})
    ceiling: float | None = field(
        default=None,
        metadata={"ge": 0,
                  "description": "While a finding of this entry counts, the total cannot exceed this "
                                 "(applied after the dimensions are summed; the lowest active ceiling "
                                 "wins)"})
    why: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidencePoints(Record):
    dimension: Dimension
    points: float
    cap: float | None = None
    why: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rubric(Record):
    name: str = "default"
    dimensions: dict[Dimension, DimensionSpec]
    rules: dict[str, RulePoints] = field(default_factory=dict)
    evidence: dict[str, EvidencePoints] = field(default_factory=dict)
    tiers: dict[str, float] = field(metadata={"description": "Tier name -> lowest total that earns it"})
    count_confidence: list[Literal["high", "medium", "low"]] = field(
        default_factory=lambda: list(_COUNTED),
        metadata={"description": "Findings of these confidences count towards the score",
                  "json_schema_extra": {"default": list(_COUNTED)}})

    def __post_init__(self) -> None:
        super(Rubric, self).__post_init__()
        missing = [d.value for d in Dimension if d not in self.dimensions]
        if missing:
            raise ValueError(f"dimensions missing: {', '.join(missing)}")
        bad = [key for key in self.rules if not re.fullmatch(r"RG\d{3}(:[a-z0-9_]+)?", key)]
        if bad:
            raise ValueError(f"rule keys must be RGnnn or RGnnn:shape, got {', '.join(bad)}")
        if not self.tiers:
            raise ValueError("tiers: at least one tier is needed")
        for dim, spec in self.dimensions.items():
            unknown = [k for k in spec.requires if k not in self.evidence]
            if unknown:
                raise ValueError(f"dimensions.{dim.value}.requires names evidence the rubric "
                                 f"does not declare: {', '.join(unknown)}")

    def tier_for(self, total: float) -> str:
        for tier, floor in sorted(self.tiers.items(), key=lambda kv: -kv[1]):
            if total >= floor:
                return tier
        return min(self.tiers, key=lambda t: self.tiers[t]) if self.tiers else "D"

    def meets_tier(self, tier: str, minimum: str) -> bool:
        """Whether ``tier`` is ``minimum`` or better (a higher threshold is better)."""
        if minimum not in self.tiers:
            raise ValueError(f"unknown tier {minimum!r}; the rubric has {', '.join(sorted(self.tiers))}")
        return self.tiers.get(tier, float("-inf")) >= self.tiers[minimum]

    @property
    def total_max(self) -> float:
        return sum(d.max for d in self.dimensions.values())


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load a rubric file, or the default rubric shipped in ``rules/rubric.toml``."""
    file = Path(path) if path is not None else rules_dir() / "rubric.toml"
    try:
        return load_model(file, Rubric, "rubric", shipped=path is None)
    except DataFileError as exc:
        raise RubricError(str(exc)) from None
