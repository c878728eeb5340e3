"""Build small repositories in a temporary folder from a {path: text} mapping."""

from __future__ import annotations

from pathlib import Path

MINIMAL_APP = {
    "Gemfile": 'source "https://rubygems.org"\ngem "rails", "~> 8.1"\ngem "ruby_llm", "~> 1.14"\n',
    "config/application.rb": "require_relative \"boot\"\nmodule Demo\n  class Application < "
                             "Rails::Application\n  end\nend\n",
    "app/controllers/application_controller.rb": "class ApplicationController < "
                                                 "ActionController::Base\nend\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
