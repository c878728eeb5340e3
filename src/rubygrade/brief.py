"""The brief: what the task asked the app to deliver, as data (``rules/briefs/*.toml``).

Checks read the brief instead of hard-coding the benchmark's requirements, so
the same rules grade a different task when given a different brief.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rubygrade.config import DataFileError, load_model
from rubygrade.paths import rules_dir


class BriefError(DataFileError):
    """A brief file that cannot be read or is not valid; the message names file and key."""


class RequiredGem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Label used in messages")
    any_of: list[str] = Field(description="Gem names any one of which satisfies the requirement")
    npm_any_of: list[str] = Field(default_factory=list,
                                  description="package.json names that also satisfy it")


class Brief(BaseModel):
    """What the task required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "default"
    description: str = ""
    llm_gem: str = "ruby_llm"
    wrong_llm_gems: list[str] = Field(default_factory=lambda: ["ruby-openai", "rubyllm"])
    required_gems: list[RequiredGem] = Field(default_factory=list)
    excluded_frameworks: list[str] = Field(
        default_factory=list,
        description="Rails frameworks the task excluded: active_record, action_mailer, active_job")
    required_artifacts: list[str] = Field(
        default_factory=list, description="dockerfile, compose, readme, tests, ci")
    api_key_env: str = "OPENROUTER_API_KEY"
    obsolete_model_patterns: list[str] = Field(default_factory=list)


def load_brief(path: str | Path | None = None) -> Brief:
    """Load a brief file, or the default brief shipped in ``rules/briefs/default.toml``."""
    file = Path(path) if path is not None else rules_dir() / "briefs" / "default.toml"
    try:
        return load_model(file, Brief, "brief")
    except DataFileError as exc:
        raise BriefError(str(exc)) from None
