"""The brief: what the task asked the app to deliver, as data (``rules/briefs/*.toml``).

Checks read the brief instead of hard-coding the benchmark's requirements, so
the same rules grade a different task when given a different brief.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rubygrade.config import DataFileError, load_model
from rubygrade.paths import rules_dir
from rubygrade.records import Record


class BriefError(DataFileError):
    """A brief file that cannot be read or is not valid; the message names file and key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequiredGem(Record):
    name: str = field(metadata={"description": "Label used in messages"})
    any_of: list[str] = field(
        metadata={"description": "Gem names any one of which satisfies the requirement"})
    npm_any_of: list[str] = field(
        default_factory=list,
        metadata={"description": "package.json names that also satisfy it"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Brief(Record):
    """What the task required."""

    name: str = "default"
    description: str = ""
    llm_gem: str = "ruby_llm"
    wrong_llm_gems: list[str] = field(default_factory=lambda: ["ruby-openai", "rubyllm"])
    required_gems: list[RequiredGem] = field(default_factory=list)
    excluded_frameworks: list[str] = field(
        default_factory=list,
        metadata={"description": "Rails frameworks the task excluded: active_record, action_mailer, "
                                 "active_job"})
    required_artifacts: list[str] = field(
        default_factory=list,
        metadata={"description": "dockerfile, compose, readme, tests, ci"})
    api_key_env: str = "OPENROUTER_API_KEY"
    obsolete_model_patterns: list[str] = field(default_factory=list)


def load_brief(path: str | Path | None = None) -> Brief:
    """Load a brief file, or the default brief shipped in ``rules/briefs/default.toml``."""
    file = Path(path) if path is not None else rules_dir() / "briefs" / "default.toml"
    try:
        return load_model(file, Brief, "brief", shipped=path is None)
    except DataFileError as exc:
        raise BriefError(str(exc)) from None
