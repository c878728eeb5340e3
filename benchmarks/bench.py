"""Benchmark rubygrade on one or more app folders; plain timing, no test framework.

For each app it prints: the wall time and peak memory (max RSS) of a whole
``rubygrade grade --format json`` process (median of ``--runs``), the time
tree-sitter alone needs to parse the same files in one process (the floor of
this design), their ratio, files and bytes per second, and the phase
breakdown (discover, parse, index, checks, score from the report's timing
diagnostics; render measured here). ``--batch N`` also grades N copies of the
first app with ``--jobs`` workers.

    python benchmarks/bench.py examples/chatapp
    python benchmarks/bench.py --scale 1,10,100 --runs 5 --batch 100 --jobs 2

``--scale`` generates synthetic apps (benchmarks/generate.py) under
``--workdir`` and reports how the cost grows with size.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _file_list(app: Path, workdir: Path) -> Path:
    from rubygrade.project import load_project

    listing = workdir / f"files-{app.name}.tsv"
    workdir.mkdir(parents=True, exist_ok=True)
    with listing.open("w", encoding="utf-8") as out:
        for source in load_project(app).files.values():
            if source.kind != "other":
                out.write(f"{source.kind}\t{source.abspath}\n")
    return listing


# One in-process run with timings on, plus the render phase the report cannot hold.
PHASES = r'''
import sys, time, json
from rubygrade.engine import Options, analyse
from rubygrade.render import render
run = analyse(sys.argv[1], Options(timings=True))
t = time.perf_counter()
render(run.report, "json")
timings = dict(run.timings)
timings["render"] = round(time.perf_counter() - t, 4)
print(json.dumps(timings))
'''

GRADE_ONE = r'''
import sys
from rubygrade.engine import grade
from rubygrade.render import render
for path in sys.argv[1:]:
    render(grade(path), "json")
'''


def _run_rss(argv: list[str]) -> tuple[float, float, str]:
    """Like _run but with the child's own peak RSS (MB), via wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    # Read output before waiting so a large report cannot block the pipe.
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def bench_app(app: Path, runs: int, workdir: Path) -> dict[str, object]:
    grade_cmd = [PYTHON, "-m", "rubygrade", "grade", str(app), "--format", "json"]
    walls, rss = [], []
    _run_rss(grade_cmd)  # warm the page cache and .pyc files
    for _ in range(runs):
        w, m, _ = _run_rss(grade_cmd)
        walls.append(w)
        rss.append(m)
    parse_walls, parse_inner = [], []
    listing = _file_list(app, workdir)
    for _ in range(runs):
        w, _, out = _run_rss([PYTHON, "-c", PARSE_ONLY, str(listing)])
        _, parse, n, size = out.split()
        parse_walls.append(w)
        parse_inner.append(float(parse))
    phases = [json.loads(_run_rss([PYTHON, "-c", PHASES, str(app)])[2]) for _ in range(runs)]
    phase_median = {k: statistics.median(p[k] for p in phases) for k in phases[0]}
    grade_wall = statistics.median(walls)
    return {
        "app": str(app),
        "files": int(n),
        "bytes": int(size),
        "grade_wall_s": round(grade_wall, 3),
        "grade_wall_min_s": round(min(walls), 3),
        "peak_rss_mb": round(max(rss), 1),
        "parse_only_wall_s": round(statistics.median(parse_walls), 3),
        "parse_only_inproc_s": round(statistics.median(parse_inner), 3),
        "ratio_wall": round(grade_wall / statistics.median(parse_walls), 2),
        "analysis_inproc_s": round(sum(phase_median.values()), 3),
        "ratio_inproc": round(sum(phase_median.values()) / statistics.median(parse_inner), 2),
        "files_per_s": round(int(n) / grade_wall, 1),
        "kb_per_s": round(int(size) / 1024 / grade_wall, 1),
        "phases_s": {k: round(v, 4) for k, v in phase_median.items()},
    }


def bench_batch(app: Path, copies: int, jobs: int, workdir: Path) -> dict[str, object]:
    """Grade ``copies`` copies of ``app``: with ``rubygrade batch`` when the CLI has it,
    otherwise with ``jobs`` worker processes each calling rubygrade.grade in-process."""
    folder = workdir / f"batch-{copies}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    paths = []
    for i in range(copies):
        dest = folder / f"app{i:03d}"
        shutil.copytree(app, dest, symlinks=True)
        paths.append(str(dest))
    has_batch = subprocess.run([PYTHON, "-m", "rubygrade", "batch", "--help"],
                               capture_output=True, cwd=REPO).returncode == 0
    if has_batch:
        # Give the folder of copies; the batch command's own listing decides the apps.
        argv = [PYTHON, "-m", "rubygrade", "batch", str(folder), "--jobs", str(jobs),
                "--quiet", "--out", str(workdir / "batch-out.jsonl")]
        how = "rubygrade batch --jobs"
        wall, rss, _ = _run_rss(argv)
    else:
        how = "process pool (benchmarks/bench.py) calling rubygrade.grade"
        chunks = [paths[i::jobs] for i in range(jobs)]
        start = time.perf_counter()
        procs = [subprocess.Popen([PYTHON, "-c", GRADE_ONE, *chunk], cwd=REPO,
                                  stdout=subprocess.DEVNULL) for chunk in chunks]
        codes = [p.wait() for p in procs]
        wall = time.perf_counter() - start
        if any(codes):
            raise SystemExit("batch workers failed")
    return {"copies": copies, "jobs": jobs, "how": how, "wall_s": round(wall, 2),
            "apps_per_s": round(copies / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", type=Path)
    parser.add_argument("--scale", help="comma-separated size factors to generate, e.g. 1,10,100")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=0, help="grade this many copies")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rubygrade-bench"))
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    apps = list(args.apps)
    if args.scale:
        for factor in args.scale.split(","):
            f = float(factor)
            apps.append(generate.EXAMPLE if f == 1 else
                        generate.generate(args.workdir / f"app{factor}", f))
    if not apps:
        apps = [generate.EXAMPLE]
    results = []
    for app in apps:
        r = bench_app(app, args.runs, args.workdir)
        results.append(r)
        if not args.json:
            _print(r)
    if len(results) > 1 and not args.json:
        base = results[0]
        print("growth (relative to the first app):")
        for r in results[1:]:
            size_x = r["bytes"] / base["bytes"]  # type: ignore[operator]
            time_x = r["analysis_inproc_s"] / base["analysis_inproc_s"]  # type: ignore[operator]
            print(f"  {size_x:6.1f}x bytes -> {time_x:6.1f}x analysis time "
                  f"({time_x / size_x:.2f} per unit of size)")
    batch = bench_batch(apps[0], args.batch, args.jobs, args.workdir) if args.batch else None
    if args.json:
        print(json.dumps({"apps": results, "batch": batch}, indent=2))
    elif batch:
        print(f"batch: {batch['copies']} copies, {batch['jobs']} jobs ({batch['how']}): "
              f"{batch['wall_s']} s, {batch['apps_per_s']} apps/s")


def _print(r: dict[str, object]) -> None:
    print(f"{r['app']}: {r['files']} files, {r['bytes']} bytes")
    print(f"  grade (whole process, median): {r['grade_wall_s']} s "
          f"(min {r['grade_wall_min_s']} s), peak RSS {r['peak_rss_mb']} MB")
    print(f"  parse-only process: {r['parse_only_wall_s']} s; in-process parse "
          f"{r['parse_only_inproc_s']} s")
    print(f"  ratio grade/parse-only: {r['ratio_wall']}x whole process, "
          f"{r['ratio_inproc']}x in-process ({r['analysis_inproc_s']} s analysis)")
    print(f"  throughput: {r['files_per_s']} files/s, {r['kb_per_s']} KB/s")
    phases = ", ".join(f"{k} {v:.3f}" for k, v in r["phases_s"].items())  # type: ignore[attr-defined]
    print(f"  phases (s): {phases}")


if __name__ == "__main__":
    main()
