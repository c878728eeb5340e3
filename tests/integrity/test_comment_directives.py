"""A ``rubygrade:disable`` directive counts only inside a real comment of its language.

Hostile fixtures put the directive text in Ruby string literals and heredocs, in
ERB text, HTML comments and Ruby strings of a template, and in JavaScript strings
and template literals; none of them may suppress. Real comments (Ruby ``#``, ERB
``<%#``, a Ruby comment inside a ``<% %>`` tag, JavaScript ``//`` and ``/* */``) do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rubygrade.engine import grade
from rubygrade.models import Report
from rubygrade.render import render
from rubygrade.sources import SourceFile, classify
from rubygrade.suppress import comment_directives

from .conftest import DSL_CALL, SERVICE, add_dsl_call, edit

VIEW = "app/views/chats/show.html.erb"
SCRIPT = "app/javascript/application.js"


def _source(tmp_path: Path, rel: str, text: str) -> SourceFile:
    file = tmp_path / rel
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return SourceFile(path=rel, abspath=file, size=file.stat().st_size, kind=classify(rel))


def _lines(directives: dict[int, list[object]]) -> dict[int, set[str]]:
    return {line: {d.reason for d in found} for line, found in directives.items()}  # type: ignore[attr-defined]


def _suppressed(report: Report, rule: str) -> dict[int, bool]:
    return {f.line: f.suppressed for f in report.findings if f.rule_id == rule}


RUBY_HOSTILE = [
    ("string literal",
     '    label = "\n    # rubygrade:disable RG201 in a string\n    "; chat.user "hi"\n'),
    ("string with interpolation",
     '    also = "#{chat.user("hi")} # rubygrade:disable RG201 in a string"\n'),
    ("heredoc, directive alone on the line above",
     "    reply = <<~TXT\n      # rubygrade:disable RG201 in a heredoc\n"
     '      #{chat.user("hi")}\n    TXT\n'),
    ("heredoc, directive on the call's line",
     '    reply = <<~TXT\n      #{chat.user("hi")} # rubygrade:disable RG201 in a heredoc\n    TXT\n'),
    ("percent literal", '    label = %q(\n    # rubygrade:disable RG201 in %q\n    ); chat.user "hi"\n'),
]


@pytest.mark.parametrize(("what", "code"), RUBY_HOSTILE, ids=[c[0] for c in RUBY_HOSTILE])
def test_directive_in_a_ruby_literal_suppresses_nothing(miniapp: Path, what: str, code: str) -> None:
    edit(miniapp, SERVICE, "    response = chat.ask(prompt)", code + "    response = chat.ask(prompt)")
    report = grade(miniapp)
    found = _suppressed(report, "RG201")
    assert found and not any(found.values()), (what, found)
    assert report.grade_changes == []
    audit = render(report, "markdown")
    claims = audit[audit.index("## Verification of API claims"):]
    assert "No invented RubyLLM API found" not in claims
    assert f"`{SERVICE}:" in claims and "RG201" in claims


def test_a_real_ruby_comment_still_suppresses(miniapp: Path) -> None:
    add_dsl_call(miniapp, above="    # rubygrade:disable RG201 reviewed by hand\n")
    report = grade(miniapp)
    assert list(_suppressed(report, "RG201").values()) == [True]
    audit = render(report, "markdown")
    assert "Suppressed inline, not counted (1):" in audit and "reviewed by hand" in audit
    edit(miniapp, SERVICE, "    # rubygrade:disable RG201 reviewed by hand\n" + DSL_CALL,
         '    chat.user "hi" # rubygrade:disable RG201 trailing comment\n')
    assert list(_suppressed(grade(miniapp), "RG201").values()) == [True]


def test_directive_in_erb_text_or_a_template_string_suppresses_nothing(miniapp: Path) -> None:
    raw = "<div><%= raw @reply %></div>\n"
    (miniapp / VIEW).write_text(
        "<h1>Chat</h1>\n"
        "# rubygrade:disable RG801 plain template text\n" + raw +                    # 2, 3
        "<!-- rubygrade:disable RG801 an HTML comment is page text -->\n" + raw +    # 4, 5
        '<%= "# rubygrade:disable RG801 a Ruby string" %>\n' + raw +                 # 6, 7
        "<script>\n// rubygrade:disable RG801 JavaScript in the page\n</script>\n" + raw +  # 8-10, 11
        "<%# rubygrade:disable RG801 a real ERB comment %>\n" + raw +                # 12, 13
        "<% # rubygrade:disable RG801 a Ruby comment in a tag %>\n" + raw +          # 14, 15
        "<%\n  # rubygrade:disable RG801 in a multi-line tag\n  x = 1 %>" + raw,    # 16-18
        encoding="utf-8")
    report = grade(miniapp)
    assert _suppressed(report, "RG801") == {3: False, 5: False, 7: False, 11: False,
                                            13: True, 15: True, 18: True}
    reasons = {c.line: c.detail.split(": ", 1)[1] for c in report.grade_changes}
    assert reasons == {12: "a real ERB comment", 14: "a Ruby comment in a tag",
                       17: "in a multi-line tag"}


def test_directive_in_a_javascript_string_suppresses_nothing(miniapp: Path) -> None:
    sink = ('  const res = await fetch("/messages", { method: "POST", body: text })\n'
            "  const data = await res.json()\n")
    write = '  box.insertAdjacentHTML("beforeend", `<div>${data.reply}</div>`)\n'
    (miniapp / SCRIPT).parent.mkdir(parents=True, exist_ok=True)
    (miniapp / SCRIPT).write_text(
        "async function post(text) {\n" + sink + '  const box = document.querySelector("#m")\n'
        '  const note = "\\\n// rubygrade:disable RG602 in a string"; ' + write.lstrip() +      # 5-6
        "  const t = `\n// rubygrade:disable RG602 in a template literal\n`; " + write.lstrip() +  # 7-9
        "  // rubygrade:disable RG602 a real comment\n" + write +                                # 10-11
        "  /* rubygrade:disable RG602 a block comment */ " + write.lstrip() + "}\n",           # 12
        encoding="utf-8")
    report = grade(miniapp)
    assert _suppressed(report, "RG602") == {6: False, 9: False, 11: True, 12: True}


def test_comment_directives_by_language(tmp_path: Path) -> None:
    ruby = _source(tmp_path, "app/models/a.rb",
                   '# rubygrade:disable RG101 top\nx = 1\ny = "# rubygrade:disable RG102 no"\n'
                   "z = 2 # rubygrade:disable RG103 trailing\n"
                   "=begin\n# rubygrade:disable RG104 block comment\n=end\n"
                   "__END__\n# rubygrade:disable RG105 data\nq\n")
    assert _lines(comment_directives(ruby)) == {1: {"top"}, 2: {"top"}, 4: {"trailing"},
                                                6: {"block comment"}, 7: {"block comment"}}
    yaml = _source(tmp_path, "docker-compose.yml",
                   "services:\n  web:\n    command: |\n      # rubygrade:disable RG112 script text\n"
                   "      run\n    # rubygrade:disable RG112 a YAML comment\n    image: x\n"
                   '    label: "# rubygrade:disable RG112 a value"\n')
    assert _lines(comment_directives(yaml)) == {6: {"a YAML comment"}, 7: {"a YAML comment"}}
    markdown = _source(tmp_path, "README.md",
                       "# rubygrade:disable RG104 a heading\n<!-- rubygrade:disable RG104 ok -->\n"
                       "```\n<!-- rubygrade:disable RG104 in a code block -->\n```\n")
    assert _lines(comment_directives(markdown)) == {2: {"ok"}, 3: {"ok"}}
    js = _source(tmp_path, "app/javascript/a.js",
                 'const a = "// rubygrade:disable RG601 no" // rubygrade:disable RG602 yes\n')
    assert _lines(comment_directives(js)) == {1: {"yes"}}
