"""RG401: a callback whose early return a presence validation makes certain never calls."""

from __future__ import annotations

from pathlib import Path

from appkit import write_app

from rubygrade.engine import grade
from rubygrade.models import Confidence

MODEL = """class Automation < ApplicationRecord
  VALIDATION
  after_create_commit :describe

  private

  def describe
    return if content.blank?
    return if description.present?

    update(description: RubyLLM.chat.ask(content).content)
  end
end
"""


def _rg401(tmp_path: Path, validation: str) -> list[tuple[int, Confidence, str]]:
    report = grade(write_app(tmp_path, {
        "app/models/automation.rb": MODEL.replace("VALIDATION", validation)}))
    return [(f.line, f.confidence, f.data.get("shape", "")) for f in report.findings
            if f.rule_id == "RG401"]


def test_a_validated_presence_makes_the_call_dead(tmp_path: Path) -> None:
    assert _rg401(tmp_path, "validates :title, :description, presence: true") == [
        (11, Confidence.LOW, "unreached")]


def test_validates_presence_of_counts_too(tmp_path: Path) -> None:
    assert _rg401(tmp_path, "validates_presence_of :description") == [
        (11, Confidence.LOW, "unreached")]


def test_a_conditional_validation_proves_nothing(tmp_path: Path) -> None:
    found = _rg401(tmp_path, "validates :description, presence: true, if: :published?")
    assert [(line, confidence) for line, confidence, _ in found] == [(11, Confidence.HIGH)]


def test_no_validation_leaves_the_callback_a_real_caller(tmp_path: Path) -> None:
    found = _rg401(tmp_path, "validates :title, presence: true")
    assert [(line, confidence) for line, confidence, _ in found] == [(11, Confidence.HIGH)]
