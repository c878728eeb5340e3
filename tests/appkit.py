"""Small Rails apps written into a temporary folder for unit tests of rules and analyses.

``MINIMAL`` is the least rubygrade needs to grade a folder as a Rails app on
ruby_llm 1.14.1: a Gemfile, its lock and ``config/application.rb``.
"""

from __future__ import annotations

from pathlib import Path

LOCK = """GEM
  remote: https://rubygems.org/
  specs:
    rails (8.1.1)
    ruby_llm (1.14.1)

DEPENDENCIES
  rails
  ruby_llm
"""
MINIMAL = {
    "Gemfile": 'source "https://rubygems.org"\ngem "rails"\ngem "ruby_llm"\n',
    "Gemfile.lock": LOCK,
    "config/application.rb": "module Demo\n  class Application < Rails::Application\n  end\nend\n",
}


def write_app(root: Path, files: dict[str, str], base: dict[str, str] | None = None) -> Path:
    """Write ``base`` (``MINIMAL`` by default) overlaid with ``files`` under ``root``."""
    for rel, text in {**(MINIMAL if base is None else base), **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
