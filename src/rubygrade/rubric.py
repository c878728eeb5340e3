"""The rubric as data (``rules/rubric.toml``): dimension maxima, points per rule and evidence, tiers.

A dimension starts either full (``start = "max"``: penalties take points
away) or empty (``start = "zero"``: evidence earns points). Each rule's
``points`` apply per finding up to its ``cap`` (the most it can move the
score in total); each dimension is clamped to ``[0, max]`` so a bonus never
lifts it over its maximum. A rule's ``ceiling`` caps the total itself while one
of its findings counts (RG113: hidden code must never raise a grade).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rubygrade.config import DataFileError, load_model
from rubygrade.models import Dimension
from rubygrade.paths import rules_dir


class RubricError(DataFileError):
    """A rubric file that cannot be read or is not valid; the message names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DimensionSpec(_Strict):
    name: str
    max: float = Field(gt=0)
    start: Literal["max", "zero"] = "max"


class RulePoints(_Strict):
    points: float = Field(description="Points per finding; negative takes points away")
    cap: float | None = Field(default=None, description="Largest total effect of this rule")
    ceiling: float | None = Field(
        default=None, ge=0,
        description="While a finding of this entry counts, the total cannot exceed this "
                    "(applied after the dimensions are summed; the lowest active ceiling wins)")
    why: str = ""


class EvidencePoints(_Strict):
    dimension: Dimension
    points: float
    cap: float | None = None
    why: str = ""


class Rubric(_Strict):
    name: str = "default"
    dimensions: dict[Dimension, DimensionSpec]
    rules: dict[str, RulePoints] = Field(default_factory=dict)
    evidence: dict[str, EvidencePoints] = Field(default_factory=dict)
    tiers: dict[str, float] = Field(description="Tier name -> lowest total that earns it")
    count_confidence: list[Literal["high", "medium", "low"]] = Field(
        default=["high", "medium"],
        description="Findings of these confidences count towards the score")

    @model_validator(mode="after")
    def _all_dimensions(self) -> Rubric:
        missing = [d.value for d in Dimension if d not in self.dimensions]
        if missing:
            raise ValueError(f"dimensions missing: {', '.join(missing)}")
        bad = [key for key in self.rules if not re.fullmatch(r"RG\d{3}(:[a-z0-9_]+)?", key)]
        if bad:
            raise ValueError(f"rule keys must be RGnnn or RGnnn:shape, got {', '.join(bad)}")
        if not self.tiers:
            raise ValueError("tiers: at least one tier is needed")
        return self

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
        return load_model(file, Rubric, "rubric")
    except DataFileError as exc:
        raise RubricError(str(exc)) from None
