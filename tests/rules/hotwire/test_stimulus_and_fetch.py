"""Unit tests of the Stimulus identifiers and the fetch-to-HTML flow on in-memory code."""

from __future__ import annotations

from pathlib import Path

import pytest
from appkit import write_app

from rubygrade import treeutil
from rubygrade.analysis.jsflow import fetch_to_html, inline_scripts
from rubygrade.analysis.stimulus import identifier_for
from rubygrade.engine import grade


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


def test_fetch_with_text_content_is_a_text_write_not_an_html_sink() -> None:
    js = """async function send() {
  const r = await fetch("/m")
  const data = await r.json()
  document.querySelector("#out").textContent = data.reply
  document.querySelector("#log").innerHTML = "<p>done</p>"
  window.scrollTo(0, document.body.scrollHeight)
}"""
    root = treeutil.parse("javascript", js.encode()).root_node
    assert [(s.line, s.what, s.html) for s in fetch_to_html(root)] == [(4, "textContent", False)]


def test_axios_and_jquery_requests_are_followed_like_fetch() -> None:
    js = """function send() {
  axios.post("/m", {}).then(res => { list.innerHTML += res.data.html })
  $.getJSON("/n", data => { other.append(data.reply) })
}"""
    root = treeutil.parse("javascript", js.encode()).root_node
    assert [(s.line, s.what, s.html) for s in fetch_to_html(root)] == \
        [(2, "innerHTML", True), (3, "append", False)]


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
    report = grade(write_app(tmp_path, files))
    assert not [d for d in report.diagnostics if d.kind == "internal"]
    assert report.app_root == ""
