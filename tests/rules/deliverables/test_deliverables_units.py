"""Unit tests of the Dockerfile, compose, README and .env readers on in-memory apps."""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import pytest
from appkit import write_app

from rubygrade.checks.deliverables.rg104_readme_stock import (
    _FOLDS_TO_ASCII,
    _RUN_SIGNALS,
    _has_run_signal,
)
from rubygrade.engine import grade


def _grade(tmp_path: Path, files: dict[str, str], rule: str) -> list[tuple[int, str, str]]:
    report = grade(write_app(tmp_path, files))
    return [(f.line, f.message, f.confidence.value) for f in report.findings
            if f.rule_id == rule]


@pytest.mark.parametrize(("dockerfile", "broken"), [
    ("FROM ruby:3.4.7-slim\n", False),
    ("ARG RUBY_VERSION=4.0.1\nFROM ruby:$RUBY_VERSION-slim\n", False),
    ("ARG RUBY_VERSION=3.4.7\nFROM docker.io/library/ruby:${RUBY_VERSION}-slim AS base\n", False),
    ("FROM ruby:latest\n", True),
    ("FROM ruby\n", True),
    ("FROM ruby:2.7.8\n", True),
    ("FROM ruby:5.0.0-alpine\n", True),
    ("ARG RUBY_VERSION\nFROM ruby:$RUBY_VERSION-slim\n", True),
    ("FROM node:22 AS assets\nFROM ruby:3.4.7\n", False),
])
def test_dockerfile_ruby_version(tmp_path: Path, dockerfile: str, broken: bool) -> None:
    text = dockerfile + "WORKDIR /app\nRUN bundle install\nCMD [\"rails\", \"s\"]\n"
    found = _grade(tmp_path, {"Dockerfile": text}, "RG102")
    assert bool(found) == broken, found


def test_dockerfile_ruby_differs_from_the_gemfile(tmp_path: Path) -> None:
    gemfile = 'source "https://rubygems.org"\nruby "3.4.7"\ngem "rails"\ngem "ruby_llm"\n'
    found = _grade(tmp_path, {"Gemfile": gemfile, "Dockerfile": "FROM ruby:3.3.6\nRUN x\n"},
                   "RG102")
    assert found and found[0][2] == "medium" and "3.4.7" in found[0][1]


@pytest.mark.parametrize(("compose", "literal"), [
    ("services:\n  web:\n    environment:\n      OPENROUTER_API_KEY: sk-or-v1-abc\n", True),
    ("services:\n  web:\n    environment:\n      - OPENROUTER_API_KEY=changeme\n", True),
    ("services:\n  web:\n    environment:\n      - OPENROUTER_API_KEY\n", False),
    ("services:\n  web:\n    environment:\n      OPENROUTER_API_KEY: ${OPENROUTER_API_KEY}\n", False),
    ("services:\n  web:\n    environment:\n      OPENROUTER_API_KEY:\n", False),
])
def test_compose_literal_key(tmp_path: Path, compose: str, literal: bool) -> None:
    found = [f for f in _grade(tmp_path, {"compose.yaml": compose}, "RG112") if f[0] > 1]
    assert bool(found) == literal, found


def test_env_templates_are_not_secrets(tmp_path: Path) -> None:
    found = _grade(tmp_path, {".env.example": "OPENROUTER_API_KEY=\n",
                              ".env.sample": "X=1\n", ".env.production": "X=1\n"}, "RG110")
    assert [m for _, m, _ in found] == ["The environment file .env.production is committed."]


def test_compose_without_an_app_service_is_low_confidence(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres:17\n"
    found = _grade(tmp_path, {"compose.yaml": compose}, "RG103")
    assert [c for _, _, c in found] == ["low"]


def test_env_tpl_and_test_credentials_key(tmp_path: Path) -> None:
    found = _grade(tmp_path, {".env.tpl": "X=\n", "config/credentials/test.key": "abc\n",
                              "config/master.key": "abc\n"}, "RG110")
    assert sorted((m, c) for _, m, c in found) == [
        ("The key file config/credentials/test.key is committed.", "low"),
        ("The key file config/master.key is committed.", "high")]


def test_dockerfile_variant_is_found(tmp_path: Path) -> None:
    files = {"Dockerfile.api": "FROM ruby:latest\nWORKDIR /a\nRUN bundle install\n",
             "Dockerfile.frontend": "FROM node:22\nRUN npm ci\n"}
    assert _grade(tmp_path, files, "RG101") == []
    assert [m for _, m, _ in _grade(tmp_path, files, "RG102")] == [
        "The Dockerfile's Ruby image tag `latest` is not a version."]


def test_missing_dockerfile_points_at_the_gemfile(tmp_path: Path) -> None:
    found = _grade(tmp_path, {}, "RG101")
    assert [(line, m) for line, m, _ in found] == [(1, "No Dockerfile in the repository.")]


@pytest.mark.parametrize("text", [
    "Run BIN/DEV then open the app", "rails Server", "Docker-Compose up", "no command here",
    "\U0001f680 Bundle Install", "bundle\ninstall", "\u017fetup: bin/\u017fetup",
    "rails \u212aelvin", "rails \u017f", "\u0130 bin/rails", "\u0131", "",
])
def test_run_signal_words_answer_as_the_regex(text: str) -> None:
    assert _has_run_signal(text) == (_RUN_SIGNALS.search(text) is not None)


def test_only_the_listed_characters_fold_to_ascii() -> None:
    """What makes the plain-word search exact: no other character matches an ASCII letter
    case-insensitively or lowers to ASCII."""
    letter = re.compile(f"[{string.ascii_lowercase}]", re.IGNORECASE)
    folding = {chr(cp) for cp in range(128, sys.maxunicode + 1)
               if letter.fullmatch(chr(cp)) or any(c.isascii() for c in chr(cp).lower())}
    assert folding == _FOLDS_TO_ASCII
