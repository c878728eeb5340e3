"""Unit tests of the Dockerfile, compose, Stimulus and fetch-flow readers on in-memory apps."""

from __future__ import annotations

from pathlib import Path

import pytest

from rubygrade import treeutil
from rubygrade.analysis.jsflow import fetch_to_html, inline_scripts
from rubygrade.analysis.stimulus import identifier_for
from rubygrade.engine import grade

LOCK = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (8.1.1)\n    ruby_llm (1.14.1)\n\n" \
       "DEPENDENCIES\n  rails\n  ruby_llm\n"
BASE = {
    "Gemfile": 'source "https://rubygems.org"\ngem "rails"\ngem "ruby_llm"\n',
    "Gemfile.lock": LOCK,
    "config/application.rb": "module Demo\n  class Application < Rails::Application\n  end\nend\n",
}


def _grade(tmp_path: Path, files: dict[str, str], rule: str) -> list[tuple[int, str, str]]:
    for name, text in {**BASE, **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = grade(tmp_path)
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


@pytest.mark.parametrize(("rel", "ident"), [
    ("app/javascript/controllers/chat_controller.js", "chat"),
    ("app/javascript/controllers/chat_form_controller.js", "chat-form"),
    ("app/javascript/controllers/admin/user_list_controller.js", "admin--user-list"),
    ("app/javascript/controllers/index.js", None),
])
def test_stimulus_identifiers(rel: str, ident: str | None) -> None:
    assert identifier_for(rel) == ident


def _sinks(js: str) -> list[tuple[int, str]]:
    root = treeutil.parse("javascript", js.encode()).root_node
    return [(s.line, s.what) for s in fetch_to_html(root)]


def test_fetch_flows_through_then_chains_and_methods() -> None:
    js = """export default class extends Controller {
  async send() {
    const r = await fetch("/m")
    const data = await r.json()
    this.add(data.reply)
  }
  add(text) { this.element.innerHTML += text }
  other() { fetch("/x").then(r => r.text()).then(html => { this.element.innerHTML = html }) }
  unrelated(x) { this.element.innerHTML = "<b>static</b>" }
}"""
    assert _sinks(js) == [(7, "innerHTML"), (8, "innerHTML")]


def test_fetch_with_text_content_or_scroll_is_not_a_sink() -> None:
    js = """async function send() {
  const r = await fetch("/m")
  const data = await r.json()
  document.querySelector("#out").textContent = data.reply
  document.querySelector("#log").innerHTML = "<p>done</p>"
  window.scrollTo(0, document.body.scrollHeight)
}"""
    assert _sinks(js) == []


def test_inline_scripts_keep_template_lines() -> None:
    html = "<div>\n<script src='x.js'></script>\n<script>\nfetch('/a').then(r => r.text())" \
           ".then(h => { el.innerHTML = h })\n</script>\n"
    scripts = inline_scripts(html)
    assert len(scripts) == 1
    root = treeutil.parse("javascript", scripts[0]).root_node
    assert [s.line for s in fetch_to_html(root)] == [4]


def test_broken_inputs_do_not_raise(tmp_path: Path) -> None:
    files = {"Dockerfile": "FROM\n", "compose.yaml": ":\n  - [", "package.json": "{not json",
             "app/javascript/controllers/x_controller.js": "export default class extends {",
             "app/views/a/b.html.erb": "<div data-controller=\"<%= 1 %>\" data-action=\"->#\">",
             "config/routes.rb": "Rails.application.routes.draw do\n  get\n"}
    _grade(tmp_path, files, "RG601")


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
