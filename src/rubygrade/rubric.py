"""The rubric as data (``rules/rubric.toml``): dimension maxima, points per rule and evidence, tiers.

A dimension starts either full (``start = "max"``: penalties take points
away) or empty (``start = "zero"``: evidence earns points). Each rule's
``points`` apply per finding up to its ``cap`` (the most it can move the
score in total); each dimension is clamped to ``[0, max]`` so a bonus never
lifts it over its maximum.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rubygrade.models import Dimension
from rubygrade.paths import rules_dir


class RubricError(ValueError):
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
    tiers: dict[str, float]
    count_confidence: list[Literal["high", "medium", "low"]] = Field(
        default_factory=lambda: ["high", "medium"],
        description="Findings of these confidences count towards the score")

    @model_validator(mode="after")
    def _all_dimensions(self) -> Rubric:
        missing = [d.value for d in Dimension if d not in self.dimensions]
        if missing:
            raise ValueError(f"dimensions missing: {', '.join(missing)}")
        return self

    def tier_for(self, total: float) -> str:
        for tier, floor in sorted(self.tiers.items(), key=lambda kv: -kv[1]):
            if total >= floor:
                return tier
        return min(self.tiers, key=lambda t: self.tiers[t]) if self.tiers else "D"

    @property
    def total_max(self) -> float:
        return sum(d.max for d in self.dimensions.values())


def load_rubric(path: str | Path | None = None) -> Rubric:
    file = Path(path) if path is not None else rules_dir() / "rubric.toml"
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(f"{file}: cannot read rubric: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{file}: invalid TOML: {exc}") from None
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise RubricError(f"{file}: key {where!r}: {first['msg']}") from None
