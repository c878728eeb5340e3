"""RG206: stored messages pasted into the system prompt make a multi-turn conversation."""

from __future__ import annotations

from pathlib import Path

from appkit import write_app

from rubygrade.analysis.usage import HISTORY_IN_INSTRUCTIONS
from rubygrade.engine import grade

SERVICE = """class Tutor
  def initialize(lesson)
    @lesson = lesson
  end

  def reply(text)
    RubyLLM.chat.with_instructions(instructions).ask(text).content
  end

  private

  def instructions
    previous = @lesson.messages.where.not(role: "system").order(:created_at).last(10)
    SOURCE
  end
end
"""
MODELS = {
    "app/models/lesson.rb": "class Lesson < ApplicationRecord\n  has_many :messages\nend\n",
    "app/models/message.rb": "class Message < ApplicationRecord\n  belongs_to :lesson\nend\n",
}


def _graded(tmp_path: Path, source: str):
    return grade(write_app(tmp_path, {**MODELS, "app/services/tutor.rb":
                                      SERVICE.replace("SOURCE", source)}))


def test_history_in_the_system_prompt_is_multi_turn(tmp_path: Path) -> None:
    report = _graded(tmp_path, 'previous.map { |m| "#{m.role}: #{m.content}" }.join("\\n")')
    assert "RG206" not in {f.rule_id for f in report.findings}
    turns = [e for e in report.evidence if e.kind == "rubyllm_multi_turn"]
    assert [(e.path, e.line, e.data["how"]) for e in turns] == [
        ("app/services/tutor.rb", 7, HISTORY_IN_INSTRUCTIONS)]


def test_instructions_without_the_history_are_not(tmp_path: Path) -> None:
    report = _graded(tmp_path, '"You are a patient tutor (#{previous.size} earlier turns)."')
    assert [(f.path, f.line) for f in report.findings if f.rule_id == "RG206"] == [
        ("app/services/tutor.rb", 7)]
