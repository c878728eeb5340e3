"""RG207 and the system-prompt evidence: a system prompt stored as a system-role message."""

from __future__ import annotations

from pathlib import Path

from appkit import write_app

from rubygrade.engine import grade

CHAT = """class Conversation < ApplicationRecord
  acts_as_chat

  def start
    messages.create!(role: ROLE, content: "Answer in two sentences.")
  end
end
"""
SERVICE = """class Tutor
  def reply(text)
    conversation = Conversation.find_or_create_by!(id: 1)
    conversation.start
    conversation.ask(text).content
  end
end
"""


def _graded(tmp_path: Path, role: str):
    return grade(write_app(tmp_path, {"app/models/conversation.rb": CHAT.replace("ROLE", role),
                                      "app/models/message.rb": "class Message < ApplicationRecord\n"
                                                               "  acts_as_message\nend\n",
                                      "app/services/tutor.rb": SERVICE}))


def test_a_stored_system_message_is_the_system_prompt(tmp_path: Path) -> None:
    report = _graded(tmp_path, ":system")
    assert "RG207" not in {f.rule_id for f in report.findings}
    evidence = [e for e in report.evidence if e.kind == "rubyllm_with_instructions"]
    assert [(e.path, e.line) for e in evidence] == [("app/models/conversation.rb", 5)]
    assert evidence[0].message == "System prompt stored as a system-role message the chat record replays."


def test_a_stored_user_message_is_not(tmp_path: Path) -> None:
    report = _graded(tmp_path, '"user"')
    found = [(f.path, f.line) for f in report.findings if f.rule_id == "RG207"]
    assert found == [("app/services/tutor.rb", 5)]
    assert not [e for e in report.evidence if e.kind == "rubyllm_with_instructions"]
