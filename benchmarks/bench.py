"""How far a whole ``rubygrade grade`` run is from its floor, app by app; plain timing, no test framework.

For the example app, a synthetic app 100 times its size (``--scale``), and every app folder
given on the command line, it prints, measured side by side in one run:

- **whole run**: wall time of a ``python -m rubygrade grade APP --format json`` process,
  interpreter start-up included, and its peak memory (the child's max RSS, from ``wait4``);
- **floor**: a process that imports only tree-sitter and parses the same files (the list
  comes from rubygrade's own discovery; an ERB template is parsed as a template, then its
  Ruby in a blanked buffer, as rubygrade does). No design that parses with tree-sitter in a
  fresh Python process can be faster;
- the **ratio** whole run / floor, taken pair by pair: the two commands alternate
  (A B A B ...) so a machine whose speed drifts moves both alike; the median is printed;
- the **phases** of one more run with ``--timings`` (start-up, discover, parse, index, the
  shared analyses, the rules, score, render) and the slowest analyses and rules by name.

    python benchmarks/bench.py                        # example app and the 100x app
    python benchmarks/bench.py /work/apps/*           # ... and these app folders
    python benchmarks/bench.py --scale 1,10,100 --runs 7 --json

Before measuring, the package's bytecode is compiled (as ``pip install`` does), so start-up is
that of an installed rubygrade even where ``PYTHONDONTWRITEBYTECODE`` is set. ``--batch N``
also grades N copies of the example app with ``rubygrade batch --jobs``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PYTHON = sys.executable

# The parse-only floor: read and parse every Ruby/ERB/JS file the grader would parse
# (listed by the parent with rubygrade's own discovery), ERB twice (template, then its
# Ruby), in a process that imports tree-sitter and nothing of rubygrade.
PARSE_ONLY = r'''
import sys, time
t0 = time.perf_counter()
import tree_sitter_embedded_template as ts_erb
import tree_sitter_javascript as ts_js
import tree_sitter_ruby as ts_ruby
from tree_sitter import Language, Parser
BLANK = bytes(b if b in (10, 13) else 32 for b in range(256))
parsers = {name: Parser(Language(mod.language())) for name, mod in
           (("ruby", ts_ruby), ("erb", ts_erb), ("javascript", ts_js))}
t1 = time.perf_counter()
n = size = 0
for line in open(sys.argv[1], encoding="utf-8"):
    kind, path = line.rstrip("\n").split("\t", 1)
    with open(path, "rb") as fh:
        data = fh.read()
    n += 1
    size += len(data)
    if kind == "erb":
        # As rubygrade does: find the tags, lay their Ruby into a blanked same-shaped buffer.
        template = parsers["erb"].parse(data)
        buffer = bytearray(data.translate(BLANK))
        for node in template.root_node.children:
            for code in node.children:
                if code.type == "code":
                    buffer[code.start_byte:code.end_byte] = data[code.start_byte:code.end_byte]
        data = bytes(buffer)
    parsers["ruby" if kind == "erb" else kind].parse(data)
t2 = time.perf_counter()
print(f"{t1 - t0} {t2 - t1} {n} {size}")
'''

# Groups of the --timings lines, in the order they are printed.
GROUPS = ("startup", "discover", "parse", "index", "analyses", "rules", "score+report", "render")


def _file_list(app: Path, workdir: Path) -> Path:
    from rubygrade.project import load_project

    listing = workdir / f"files-{app.name}.tsv"
    workdir.mkdir(parents=True, exist_ok=True)
    with listing.open("w", encoding="utf-8") as out:
        for source in load_project(app).files.values():
            if source.kind != "other":
                out.write(f"{source.kind}\t{source.abspath}\n")
    return listing


def _run_rss(argv: list[str]) -> tuple[float, float, str, str]:
    """Wall seconds, the child's own peak RSS in MB (wait4), stdout, stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    out, err = _drain(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):  # 1: a quality gate; anything else is a failure
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{err.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024, out.decode(errors="replace"), err.decode(errors="replace")


def _drain(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Read stdout and stderr to the end without waiting for the process (wait4 reaps it)."""
    import selectors

    chunks: dict[int, list[bytes]] = {1: [], 2: []}
    streams = {proc.stdout: 1, proc.stderr: 2}
    sel = selectors.DefaultSelector()
    for stream in streams:
        assert stream is not None
        sel.register(stream, selectors.EVENT_READ)
    open_streams = len(streams)
    while open_streams:
        for key, _ in sel.select():
            data = os.read(key.fd, 1 << 16)
            if not data:
                sel.unregister(key.fileobj)
                open_streams -= 1
            else:
                chunks[streams[key.fileobj]].append(data)  # type: ignore[index]
    return b"".join(chunks[1]), b"".join(chunks[2])


def _timing_lines(stderr: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        m = re.match(r"^  (.+?)\s+(\d+\.\d+)\s+\d+\.\d%$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def _group(name: str) -> str:
    if name.startswith("startup"):
        return "startup"
    if name.startswith("analysis "):
        return "analyses"
    if name.startswith(("rule ", "rules:", "evidence")):
        return "rules"
    if name in ("score", "report", "rubric and brief"):
        return "score+report"
    return name


def bench_app(app: Path, runs: int, workdir: Path) -> dict[str, object]:
    listing = _file_list(app, workdir)
    grade_cmd = [PYTHON, "-m", "rubygrade", "grade", str(app), "--format", "json"]
    floor_cmd = [PYTHON, "-c", PARSE_ONLY, str(listing)]
    _run_rss(grade_cmd)  # warm the page cache
    _run_rss(floor_cmd)
    walls, floors, ratios, rss, floor_rss = [], [], [], [], []
    n = size = 0
    for _ in range(runs):  # A B A B ...: the ratio is taken pair by pair
        w, m, _, _ = _run_rss(grade_cmd)
        fw, fm, out, _ = _run_rss(floor_cmd)
        _, _, n_s, size_s = out.split()
        n, size = int(n_s), int(size_s)
        walls.append(w)
        rss.append(m)
        floors.append(fw)
        floor_rss.append(fm)
        ratios.append(w / fw)
    timed = [_timing_lines(_run_rss(grade_cmd + ["--timings"])[3]) for _ in range(max(1, runs // 2))]
    # Per line, the median over the timed runs.
    names = list(timed[0])
    lines = {k: statistics.median(t.get(k, 0.0) for t in timed) for k in names}
    groups = {g: 0.0 for g in GROUPS}
    for name, seconds in lines.items():
        groups[_group(name)] = groups.get(_group(name), 0.0) + seconds
    analyses = sorted(((k.removeprefix("analysis "), v) for k, v in lines.items()
                       if k.startswith("analysis ")), key=lambda kv: -kv[1])
    rules = sorted(((k.removeprefix("rule "), v) for k, v in lines.items()
                    if k.startswith("rule ")), key=lambda kv: -kv[1])
    return {
        "app": str(app), "files": n, "bytes": size,
        "whole_s": round(statistics.median(walls), 3),
        "whole_min_s": round(min(walls), 3),
        "floor_s": round(statistics.median(floors), 3),
        "ratio": round(statistics.median(ratios), 2),
        "peak_mb": round(statistics.median(rss), 1),
        "floor_peak_mb": round(statistics.median(floor_rss), 1),
        "phases_s": {k: round(v, 4) for k, v in groups.items()},
        "slowest_analyses": [(k, round(v, 4)) for k, v in analyses[:5]],
        "slowest_rules": [(k, round(v, 4)) for k, v in rules[:5]],
        "timings_s": {k: round(v, 4) for k, v in lines.items()},
    }


def bench_batch(app: Path, copies: int, jobs: int, workdir: Path) -> dict[str, object]:
    """Grade ``copies`` copies of ``app`` with ``rubygrade batch --jobs``."""
    folder = workdir / f"batch-{copies}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i in range(copies):
        shutil.copytree(app, folder / f"app{i:04d}", symlinks=True)
    argv = [PYTHON, "-m", "rubygrade", "batch", str(folder), "--jobs", str(jobs),
            "--quiet", "--out", str(workdir / "batch-out.jsonl")]
    wall, rss, _, _ = _run_rss(argv)
    return {"copies": copies, "jobs": jobs, "wall_s": round(wall, 2),
            "apps_per_s": round(copies / wall, 1), "peak_mb": round(rss, 1)}


def compile_bytecode() -> None:
    """Compile rubygrade's modules, as pip does at install (an editable install skips it)."""
    import rubygrade

    compileall.compile_dir(str(Path(rubygrade.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", type=Path, help="more app folders to measure")
    parser.add_argument("--scale", default="1,100",
                        help="synthetic sizes: 1 is the example app, N an app N times its size "
                             "(default: 1,100; '' for none)")
    parser.add_argument("--runs", type=int, default=5, help="pairs of runs per app (default 5)")
    parser.add_argument("--batch", type=int, default=0, help="also grade this many copies")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rubygrade-bench"))
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    compile_bytecode()
    apps: list[Path] = []
    for factor in filter(None, args.scale.split(",")):
        f = float(factor)
        apps.append(generate.EXAMPLE if f == 1 else
                    generate.generate(args.workdir / f"app{factor}", f))
    apps += [a for a in args.apps if a.is_dir()]
    results = []
    for app in apps:
        r = bench_app(app, args.runs, args.workdir)
        results.append(r)
        if not args.json:
            _print(r)
    batch = bench_batch(generate.EXAMPLE, args.batch, args.jobs, args.workdir) if args.batch else None
    if args.json:
        print(json.dumps({"apps": results, "batch": batch}, indent=2))
        return
    _table(results)
    if batch:
        print(f"\nbatch: {batch['copies']} copies of the example app, --jobs {batch['jobs']}: "
              f"{batch['wall_s']} s, {batch['apps_per_s']} apps/s, peak {batch['peak_mb']} MB")


def _print(r: dict[str, object]) -> None:
    print(f"{r['app']}: {r['files']} files, {int(r['bytes']) // 1024} KB")  # type: ignore[call-overload]
    print(f"  whole run {r['whole_s']} s (min {r['whole_min_s']}), floor {r['floor_s']} s, "
          f"ratio {r['ratio']}x, peak {r['peak_mb']} MB (floor {r['floor_peak_mb']} MB)")
    phases = ", ".join(f"{k} {v:.3f}" for k, v in r["phases_s"].items())  # type: ignore[attr-defined]
    print(f"  phases (s): {phases}")
    print("  slowest analyses: " + ", ".join(f"{k} {v:.3f}" for k, v in r["slowest_analyses"]))  # type: ignore[attr-defined]
    print("  slowest rules:    " + ", ".join(f"{k} {v:.3f}" for k, v in r["slowest_rules"]))  # type: ignore[attr-defined]
    sys.stdout.flush()


def _table(results: list[dict[str, object]]) -> None:
    print("\n| app | files | KB | whole run (s) | floor (s) | ratio | peak MB | "
          + " | ".join(GROUPS) + " |")
    print("|---|" + "---:|" * (6 + len(GROUPS)))
    for r in results:
        name = Path(str(r["app"])).name
        phases = r["phases_s"]
        print(f"| {name} | {r['files']} | {int(r['bytes']) // 1024} | {r['whole_s']} | "  # type: ignore[call-overload]
              f"{r['floor_s']} | {r['ratio']}x | {r['peak_mb']} | "
              + " | ".join(f"{phases[g]:.3f}" for g in GROUPS) + " |")  # type: ignore[index]


if __name__ == "__main__":
    main()
