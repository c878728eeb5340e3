"""Parsing: ERB line mapping, syntax errors, bad encodings, binary files, deep nesting."""

from __future__ import annotations

from pathlib import Path

from rubygrade.index import Index
from rubygrade.project import load_project

from .helpers import MINIMAL_APP, write_tree

TEMPLATE = """<div id="chat" data-controller="chat">
  <h1>Chat</h1>
  <% @messages.each do |message| %>
    <div class="message">
      <p><%= message.role %></p>
      <%# a comment %>
      <%= raw message.content %>
    </div>
  <% end %>
  <%== @footer %>
</div>
"""


def _project(tmp_path: Path, files: dict[str, str | bytes]):
    return load_project(write_tree(tmp_path, {**MINIMAL_APP, **files}))


def test_erb_ruby_calls_keep_template_line_numbers(tmp_path: Path) -> None:
    project = _project(tmp_path, {"app/views/chats/show.html.erb": TEMPLATE})
    index = Index(project)
    raw_calls = [c for c in index.calls_named("raw") if c.path.endswith("show.html.erb")]
    assert [c.line for c in raw_calls] == [7]
    assert raw_calls[0].column == 11
    each = next(index.calls_named("each"))
    assert each.line == 3 and each.block is not None
    source = project.files["app/views/chats/show.html.erb"]
    assert not source.diagnostics, source.diagnostics
    tags = source.erb_tags
    assert [t.line for t in tags if t.outputs] == [5, 7, 10]
    assert [t.raw_output for t in tags if t.outputs] == [False, False, True]


def test_erb_html_text_keeps_attributes_and_blanks_ruby(tmp_path: Path) -> None:
    source = _project(tmp_path, {"app/views/a.html.erb": TEMPLATE}).files["app/views/a.html.erb"]
    html = source.html_text()
    assert 'data-controller="chat"' in html
    assert "raw message.content" not in html
    assert html.count("\n") == TEMPLATE.count("\n")


def test_syntax_error_is_a_located_diagnostic_and_the_tree_is_still_used(tmp_path: Path) -> None:
    broken = "class Broken\n  def ok\n    RubyLLM.chat.ask('hi')\n  end\n  def bad(\n    1 +\nend\n"
    project = _project(tmp_path, {"app/models/broken.rb": broken})
    source = project.files["app/models/broken.rb"]
    assert source.tree is not None
    errors = [d for d in source.diagnostics if d.kind == "parse_error"]
    assert errors and all(d.path == "app/models/broken.rb" and d.line for d in errors)
    assert any(c.method == "ask" for c in Index(project).calls)


def test_invalid_utf8_is_decoded_with_replacement_and_reported(tmp_path: Path) -> None:
    project = _project(tmp_path, {"app/models/latin1.rb": b"# caf\xe9\nclass Latin\nend\n"})
    source = project.files["app/models/latin1.rb"]
    assert "class Latin" in source.text
    assert any(d.kind == "encoding" and d.line == 1 for d in source.diagnostics)
    assert Index(project).class_defs("Latin")


def test_binary_file_is_skipped_with_a_diagnostic(tmp_path: Path) -> None:
    project = _project(tmp_path, {"app/assets/images/logo.png": b"\x89PNG\r\n\x00\x01\xff" * 100,
                                  "app/models/blob.rb": b"\x00\x01\x02ELF\x00" * 100})
    image = project.files["app/assets/images/logo.png"]
    assert image.text == "" and image.binary
    assert any(d.kind == "skipped" and "binary" in d.message for d in image.diagnostics)
    # Ruby stops reading at the first NUL: the Ruby file is its (empty) content before it
    source = project.files["app/models/blob.rb"]
    assert source.text == "" and source.not_analysed is None
    assert any(d.kind == "encoding" and "Ruby stops reading" in d.message for d in source.diagnostics)


def test_deeply_nested_expression_does_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    depth = 20_000
    nested = "x = " + "[" * depth + "1" + "]" * depth + "\n"
    calls = "y = " + "f(" * 3000 + "1" + ")" * 3000 + "\n"
    project = _project(tmp_path, {"app/models/deep.rb": nested + calls})
    index = Index(project)
    assert len([c for c in index.calls if c.method == "f"]) == 3000


def test_each_file_is_parsed_once(tmp_path: Path) -> None:
    project = _project(tmp_path, {"app/models/a.rb": "class A; end\n"})
    source = project.files["app/models/a.rb"]
    assert source.tree is source.tree
