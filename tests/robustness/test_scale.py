"""Input shapes that used to grow superlinearly: the analyses bound themselves and say so.

Sizes here are small enough for CI; ``benchmarks/hostile.py`` grades the full-size shapes
and prints their time and memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from robustness.apps import grade_ok, write_app
from rubygrade import treeutil
from rubygrade.analysis.jsflow import (
    fetch_to_html,
    inline_script_roots,
    inline_scripts,
    markdown_to_html,
)
from rubygrade.analysis.stimulus import collect_wiring
from rubygrade.engine import analyse
from rubygrade.index.ruby import MAX_CLASS_NESTING, MAX_RESCUE_NESTING
from rubygrade.project import load_project
from rubygrade.timings import Timer

REPO = Path(__file__).resolve().parents[2]


def _limits(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.message for d in report.diagnostics if d.kind == "limit"]


def test_deeply_nested_modules_are_bounded_and_reported(tmp_path: Path) -> None:
    depth = MAX_CLASS_NESTING + 50
    source = "".join(f"module M{i}\n" for i in range(depth)) + "  def self.go = 1\n" \
        + "end\n" * depth
    run = analyse(write_app(tmp_path / "app", {"app/models/nested.rb": source}))
    nested = [c for c in run.index.classes if c.path == "app/models/nested.rb"]
    assert len(nested) == MAX_CLASS_NESTING
    deepest = nested[-1].name
    assert deepest.count("::") == MAX_CLASS_NESTING - 1
    assert [m.owner for m in run.index.methods if m.name == "go"] == [deepest]
    notes = [d for d in run.report.diagnostics if d.kind == "limit" and d.path == "app/models/nested.rb"]
    assert notes and f"more than {MAX_CLASS_NESTING} deep" in notes[0].message
    assert notes[0].line == MAX_CLASS_NESTING + 1


def test_shallow_code_reports_no_limit(tmp_path: Path) -> None:
    assert not _limits(grade_ok(write_app(tmp_path / "app")))


def test_climbing_past_the_ancestor_bound_is_reported(tmp_path: Path) -> None:
    depth = treeutil.MAX_ANCESTORS + 100
    source = "x = " + "[" * depth + "RubyLLM.chat.ask('x')" + "]" * depth + "\n"
    report = grade_ok(write_app(tmp_path / "app", {"app/models/deep.rb": source}))
    assert any(f"more than {treeutil.MAX_ANCESTORS} levels" in m for m in _limits(report))


def test_rescue_nesting_bound_is_reported(tmp_path: Path) -> None:
    depth = MAX_RESCUE_NESTING + 20
    source = "begin\n" * depth + "RubyLLM.chat.ask('x')\n" + "rescue => e\nend\n" * depth
    run = analyse(write_app(tmp_path / "app", {"app/models/deep.rb": source}))
    ask = next(c for c in run.index.calls if c.method == "ask" and c.path == "app/models/deep.rb")
    assert len(ask.rescues) == MAX_RESCUE_NESTING
    assert any(f"more than {MAX_RESCUE_NESTING} deep" in m for m in _limits(run.report))


def test_note_limit_outside_a_run_is_ignored() -> None:
    treeutil.note_limit("nobody listens")  # no run is collecting: nothing to record, no error
    with treeutil.collecting_limits() as hit:
        treeutil.note_limit("a")
        treeutil.note_limit("a")
    assert hit == {"a"}


# -- JavaScript and templates ------------------------------------------------------------
TEMPLATE = (
    'é<p>\n  <script>fetch("/x").then(r => r.text()).then(h => { el.innerHTML = h })</script>\n'
    '<script src="x"></script>\nab ü <script type="a">\n'
    "  fetch(u).then(r=>r.text()).then(t=>{ x.innerHTML = t })\n</script><script>y</script>\n"
    '\r\n<SCRIPT>\r\n const r = await fetch("/a"); const d = await r.json(); '
    'this.t.innerHTML += `${d.x}`; document.body.insertAdjacentHTML("beforeend", d)\n</SCRIPT>'
    '<script type="application/json">{"fetch": 1}</script>'
)


def test_inline_script_trees_match_the_padded_scripts() -> None:
    padded = [fetch_to_html(treeutil.parse("javascript", s).root_node) for s in inline_scripts(TEMPLATE)]
    ranged = [fetch_to_html(root) for root in inline_script_roots(TEMPLATE)]
    assert ranged == padded
    assert [len(s) for s in ranged] == [1, 1, 0, 2]
    assert ranged[3][1].what == "insertAdjacentHTML" and ranged[3][1].line == 9
    assert inline_script_roots("<p>no scripts</p>") == []


MARKDOWN_TEMPLATE = (
    'é<p>\n  <script>el.innerHTML = marked.parse(text)</script>\n<script src="x"></script>\n'
    'ab ü <script>\n  const html = md.render(answer)\n  box.insertAdjacentHTML("beforeend", html)\n'
    '  safe.innerHTML = DOMPurify.sanitize(marked(text))\n</script>'
)


def test_inline_script_trees_find_the_same_markdown_sinks() -> None:
    padded = [markdown_to_html(treeutil.parse("javascript", s).root_node)
              for s in inline_scripts(MARKDOWN_TEMPLATE)]
    ranged = [markdown_to_html(root) for root in inline_script_roots(MARKDOWN_TEMPLATE)]
    assert ranged == padded
    assert [[(s.line, s.column, s.what) for s in sinks] for sinks in ranged] == [
        [(2, 11, "innerHTML")], [(6, 3, "insertAdjacentHTML")]]


def test_many_fetches_in_one_function_report_each_sink_once() -> None:
    body = "".join(f"  const r{i} = await fetch('/{i}')\n  el.innerHTML = await r{i}.text()\n"
                   for i in range(200))
    source = f"async function go() {{\n{body}}}\n".encode()
    sinks = fetch_to_html(treeutil.parse("javascript", source).root_node)
    assert len(sinks) == 200
    assert [s.line for s in sinks] == [3 + 2 * i for i in range(200)]
    assert {s.fetch_line for s in sinks} == {2}  # found from the function's first fetch


def test_stimulus_use_lines_in_a_long_template(tmp_path: Path) -> None:
    rows = "".join(f'<div data-controller="chat">\n<b data-action="click->chat#go{i}">x</b>\n</div>\n'
                   for i in range(300))
    root = write_app(tmp_path / "app", {"app/views/chats/index.html.erb": rows})
    wiring = collect_wiring(load_project(root))
    actions = [u for u in wiring.uses if u.kind == "action" and u.path.endswith("index.html.erb")]
    assert [u.line for u in actions] == [2 + 3 * i for i in range(300)]


def test_source_lines_are_split_once(tmp_path: Path) -> None:
    run = analyse(write_app(tmp_path / "app"))
    source = run.project.files["app/controllers/chats_controller.rb"]
    assert source.lines is source.lines
    assert source.line_text(1) == "class ChatsController < ApplicationController"


# -- timings -------------------------------------------------------------------------------
def test_timer_sections_are_exclusive() -> None:
    timer = Timer()
    with timer.measure("outer"):
        with timer.measure("inner"):
            sum(range(10_000))
        timer.add("extra", 0.5)
    assert set(timer.totals) == {"outer", "inner", "extra"}
    assert timer.totals["extra"] == 0.5
    assert 0 <= timer.totals["outer"] < 0.5  # the nested sections are not counted twice
    timer.lap("rest")  # since the timer began, less the top-level section measured meanwhile
    assert 0 <= timer.totals["rest"] < 0.05


def test_run_timings_name_phases_analyses_and_rules(tmp_path: Path) -> None:
    run = analyse(write_app(tmp_path / "app"))
    names = list(run.timings)
    assert names[:3] == ["discover", "parse", "index"]
    assert "rule RG401" in names and "analysis llm_calls" in names and "analysis call_graph" in names
    assert names[-2:] == ["score", "report"]
    assert all(v >= 0 for v in run.timings.values())


def test_cli_timings_go_to_stderr_and_leave_the_report_unchanged(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app")
    argv = [sys.executable, "-m", "rubygrade", "grade", str(root), "--format", "json"]
    plain = subprocess.run(argv, capture_output=True, cwd=REPO, check=True)
    timed = subprocess.run(argv + ["--timings"], capture_output=True, cwd=REPO, check=True)
    assert timed.stdout == plain.stdout
    assert not [d for d in json.loads(timed.stdout)["diagnostics"] if d["kind"] == "timing"]
    err = timed.stderr.decode()
    for line in ("startup: imports", "discover", "parse", "index", "rule RG201", "render", "total"):
        assert f"  {line}" in err, line
