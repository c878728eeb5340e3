"""RG401: an unreached LLM call in a class the app may pick by name at run time says so."""

from __future__ import annotations

from pathlib import Path

from appkit import write_app

from rubygrade.engine import grade
from rubygrade.models import Confidence

ENGINE = """class Summaries::Engines::Short
  def run(text)
    RubyLLM.chat.ask(text).content
  end
end
"""


def _unreached(tmp_path: Path, picker: str) -> list[str]:
    report = grade(write_app(tmp_path, {
        "app/services/summaries/engines/short.rb": ENGINE,
        "app/services/summaries.rb": picker}))
    found = [f for f in report.findings if f.rule_id == "RG401"]
    assert [(f.line, f.confidence) for f in found] == [(3, Confidence.LOW)]
    return [f.message for f in found]


def _picker(expression: str) -> str:
    """A module whose ``for`` picks a class by evaluating ``expression``."""
    return f"module Summaries\n  def self.for(kind)\n    {expression}.new\n  end\nend\n"


def _picked_by(message: str) -> str | None:
    marker = "by name at run time (`constantize` at "
    if marker not in message:
        return None
    return message.split(marker, 1)[1].split(")", 1)[0]


def test_an_interpolated_name_under_the_class_namespace_may_pick_it(tmp_path: Path) -> None:
    [message] = _unreached(tmp_path, _picker('"Summaries::Engines::#{kind.camelize}".constantize'))
    assert _picked_by(message) == "app/services/summaries.rb:3"
    assert "No call rubygrade can follow reaches Summaries::Engines::Short#run" in message


def test_a_class_name_spelled_in_a_string_and_an_opaque_constantize(tmp_path: Path) -> None:
    [message] = _unreached(tmp_path, """module Summaries
  ENGINES = { "short" => "Summaries::Engines::Short" }

  def self.for(kind)
    ENGINES.fetch(kind).constantize.new
  end
end
""")
    assert _picked_by(message) == "app/services/summaries.rb:5"


def test_another_namespace_picks_nothing_here(tmp_path: Path) -> None:
    [message] = _unreached(tmp_path, _picker('"Reports::#{kind.camelize}".constantize'))
    assert _picked_by(message) is None
    assert "no controller action, job, channel, mailbox, view, rake task or callback " \
           "reaches Summaries::Engines::Short#run" in message


def test_an_opaque_constantize_alone_does_not_pick_an_unnamed_class(tmp_path: Path) -> None:
    [message] = _unreached(tmp_path, _picker('kind.constantize'))
    assert _picked_by(message) is None


def test_const_get_on_a_namespace(tmp_path: Path) -> None:
    [message] = _unreached(tmp_path, _picker('Summaries::Engines.const_get(kind.camelize)'))
    assert _picked_by(message) is None  # the marker names const_get, not constantize
    assert "(`const_get` at app/services/summaries.rb:3)" in message
