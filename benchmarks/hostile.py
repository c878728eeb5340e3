"""Grade every hostile input shape and print its time and peak memory; plain timing, no test framework.

The shapes are those of ``tests/robustness`` (20,000 levels of nesting in ten forms, a long
method chain, a 100,000-line file, a sparse 50 MB file, binary and mis-encoded files,
symlink loops) at full size - the tests keep two of them smaller - plus 10,000 ``ask``
calls in one method, 1.9 MB of JavaScript and ERB, and 40,000 nested modules. Each is
written into a copy of the small app of ``tests/robustness/apps.py`` and graded by a
fresh ``python -m rubygrade grade DIR --format json`` process; the bound is 10 s and
1 GB per shape.

    python benchmarks/hostile.py                 # every shape
    python benchmarks/hostile.py ask_10000 js_erb_1_9mb
    python benchmarks/hostile.py --list
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from robustness.apps import write_app  # noqa: E402
from robustness.test_hostile import DEPTH, NESTED_SOURCES  # noqa: E402

TIME_BOUND = 10.0
MEMORY_BOUND_MB = 1024.0

Files = dict[str, "str | bytes"]


def _nested(name: str) -> Callable[[Path], None]:
    path, source = NESTED_SOURCES[name]
    return lambda root: _write(root, {path: source})


def _write(root: Path, files: Files) -> None:
    write_app(root, files)  # type: ignore[arg-type]


def blocks(root: Path) -> None:
    # The tests keep this one at 500 levels; the bound is for the full 20,000.
    _write(root, {"app/models/deep.rb": "items.each do |i|\n" * DEPTH + "RubyLLM.chat.ask(i)\n"
                  + "end\n" * DEPTH})


def method_chain(root: Path) -> None:
    chain = "RubyLLM.chat" + ".with_temperature(0)" * DEPTH + ".ask('hi')\n"
    _write(root, {"app/models/chain.rb": f"class Chain\n  def go\n{chain}  end\nend\n"})


def hundred_thousand_lines(root: Path) -> None:
    body = "".join(f"  def m{i}(a) = a + {i}\n" if i % 10 == 0 else "  # note\n"
                   for i in range(100_000))
    _write(root, {"app/models/long.rb": f"class Long\n{body}end\n"})


def odd_files(root: Path) -> None:
    _write(root, {
        "app/models/blob.rb": b"class Blob\n\x00\x01\x02 def x; end\nend\n",
        "app/models/latin.rb": b"class Latin\n  NAME = \"caf\xe9\"\n  def hello; end\nend\n",
        "app/models/with space.rb": "class WithSpace\n  def go; end\nend\n",
    })
    (root / "app" / "loop").symlink_to(root / "app")
    (root / "app" / "etc").symlink_to("/etc")
    os.mkfifo(root / "app" / "pipe.rb")
    with (root / "app" / "models" / "huge.rb").open("wb") as fh:  # sparse 50 MB
        fh.truncate(50 * 1024 * 1024)


def ask_10000(root: Path) -> None:
    lines = "".join(f'    chat.ask("question {i}")\n' for i in range(10_000))
    _write(root, {"app/services/asker.rb": (
        "class Asker\n  def run\n    chat = RubyLLM.chat(model: \"gpt-4.1-mini\")\n"
        f"{lines}  end\nend\n")})


def _js_controller(n: int) -> str:
    methods = "".join(
        f"  load{i}(event) {{\n"
        f"    const url = `/items/{i}?q=${{this.inputTarget.value}}`\n"
        f"    fetch(url).then((r) => r.text()).then((html) => {{\n"
        f"      this.outputTarget.innerHTML = html\n"
        f"      this.render{i}(html)\n"
        f"    }})\n"
        f"  }}\n\n"
        f"  render{i}(html) {{\n"
        f"    const box = document.createElement(\"div\")\n"
        f"    box.insertAdjacentHTML(\"beforeend\", html)\n"
        f"    this.listTarget.appendChild(box)\n"
        f"  }}\n\n"
        for i in range(n))
    return ('import { Controller } from "@hotwired/stimulus"\n\n'
            "export default class extends Controller {\n"
            '  static targets = ["input", "output", "list"]\n\n'
            f"{methods}}}\n")


def _erb_template(n: int) -> str:
    rows = "".join(
        f'<div id="row-{i}" data-controller="chat" data-chat-target="list">\n'
        f'  <%= link_to "Item {i}", "/items/{i}", data: {{ action: "click->chat#load{i}" }} %>\n'
        f'  <button data-action="click->chat#load{i}">Load</button>\n'
        f"  <% if @items[{i}].present? %><%= @items[{i}].title %><% end %>\n"
        f'  <script>fetch("/rows/{i}").then((r) => r.text())'
        f'.then((h) => {{ document.getElementById("row-{i}").innerHTML = h }})</script>\n'
        "</div>\n"
        for i in range(n))
    return f"<h1>Items</h1>\n{rows}"


def js_erb_1_9mb(root: Path) -> None:
    _write(root, {"app/javascript/controllers/chat_controller.js": _js_controller(2_900),
                  "app/views/chats/index.html.erb": _erb_template(2_200)})


def nested_modules_40000(root: Path) -> None:
    n = 40_000
    source = "".join(f"module M{i}\n" for i in range(n)) + "  def self.go = RubyLLM.chat.ask('x')\n" \
        + "end\n" * n
    _write(root, {"app/models/nested.rb": source})


SHAPES: dict[str, Callable[[Path], None]] = {
    **{f"nesting_{name}": _nested(name) for name in sorted(NESTED_SOURCES) if name != "blocks"},
    "nesting_blocks": blocks,
    "method_chain": method_chain,
    "hundred_thousand_lines": hundred_thousand_lines,
    "odd_files": odd_files,
    "ask_10000": ask_10000,
    "js_erb_1_9mb": js_erb_1_9mb,
    "nested_modules_40000": nested_modules_40000,
}


def _code_bytes(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.suffix in (".rb", ".erb", ".js") \
                and path.stat().st_blocks:  # the sparse file has no blocks
            total += path.stat().st_size
    return total


def grade(root: Path, timeout: float) -> dict[str, object]:
    argv = [sys.executable, "-m", "rubygrade", "grade", str(root), "--format", "json"]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=REPO)
        deadline = start + timeout
        status = None
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        report = out.read()
        stderr = err.read().decode(errors="replace")
    result: dict[str, object] = {"wall_s": round(wall, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1),
                                 "exit": proc.returncode, "timed_out": wall >= timeout}
    if proc.returncode in (0, 1):
        data = json.loads(report)
        result["notes"] = sorted({d["message"] for d in data["diagnostics"]
                                  if d["kind"] in ("limit", "internal")})
    else:
        result["error"] = stderr.strip().splitlines()[-1:] if stderr else []
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", help="shape names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the shapes and exit")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="kill a grading process after this many seconds (default 120)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(SHAPES))
        return
    names = args.shapes or list(SHAPES)
    unknown = [n for n in names if n not in SHAPES]
    if unknown:
        raise SystemExit(f"unknown shape(s): {', '.join(unknown)}; see --list")
    results = []
    work = Path(tempfile.mkdtemp(prefix="rubygrade-hostile-"))
    try:
        for name in names:
            root = work / name
            SHAPES[name](root)
            size = _code_bytes(root)
            r = {"shape": name, "code_kb": size // 1024, **grade(root, args.timeout)}
            r["within_bounds"] = (not r["timed_out"] and r["exit"] in (0, 1)
                                  and float(r["wall_s"]) <= TIME_BOUND  # type: ignore[arg-type]
                                  and float(r["peak_mb"]) <= MEMORY_BOUND_MB)  # type: ignore[arg-type]
            results.append(r)
            if not args.json:
                notes = "; ".join(r.get("notes", []) or r.get("error", []))  # type: ignore[arg-type]
                print(f"{name:28} {r['code_kb']:>7} KB  {r['wall_s']:>7} s  {r['peak_mb']:>7} MB  "
                      f"{'ok' if r['within_bounds'] else 'OVER'}  {notes[:140]}", flush=True)
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        over = [r["shape"] for r in results if not r["within_bounds"]]
        print(f"\n{len(results) - len(over)} of {len(results)} shapes within {TIME_BOUND:g} s and "
              f"{MEMORY_BOUND_MB:g} MB" + (f"; over: {', '.join(over)}" if over else ""))


if __name__ == "__main__":
    main()
