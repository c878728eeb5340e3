"""Does memory stay flat across a long batch? Plain measurement, no test framework.

Builds N repositories (copies of the example app, or of the app folders given with
``--apps``, cycled), runs ``rubygrade batch DIR --jobs J`` and samples, every 0.2 s, the
resident memory of the batch process and of all its grading processes together. It prints
the memory after each tenth of the batch, so growth per repository shows directly, and
the same for a loop of ``rubygrade.grade()`` calls in one process (``--in-process``).

    python benchmarks/batch_memory.py --repos 200 --jobs 2
    python benchmarks/batch_memory.py --repos 100 --jobs 1 --apps /work/apps/* --in-process
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "examples" / "chatapp"


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _tree_rss(pid: int) -> tuple[float, float]:
    """(the process itself, its descendants together) in MB."""
    own = _rss_mb(pid)
    rest, stack = 0.0, _children(pid)
    while stack:
        child = stack.pop()
        rest += _rss_mb(child)
        stack += _children(child)
    return own, rest


def build(folder: Path, repos: int, apps: list[Path]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i in range(repos):
        shutil.copytree(apps[i % len(apps)], folder / f"repo{i:05d}", symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "node_modules", "tmp", "log"))


def batch(folder: Path, jobs: int, extra: list[str]) -> list[tuple[int, float, float]]:
    out = folder.parent / "batch-memory.jsonl"
    argv = [sys.executable, "-m", "rubygrade", "batch", str(folder), "--jobs", str(jobs),
            "--out", str(out), *extra]
    proc = subprocess.Popen(argv, cwd=REPO, stderr=subprocess.DEVNULL)
    samples: list[tuple[int, float, float]] = []
    while proc.poll() is None:
        done = sum(1 for _ in out.open()) if out.exists() else 0
        own, workers = _tree_rss(proc.pid)
        samples.append((done, own, workers))
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"batch failed with exit code {proc.returncode}")
    return samples


IN_PROCESS = r"""
import json, os, sys
from rubygrade import grade
from rubygrade.render.json import to_dict
paths = sys.argv[1:]
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
for i, path in enumerate(paths, start=1):
    to_dict(grade(path))
    print(json.dumps([i, rss()]), flush=True)
"""


def in_process(folder: Path) -> list[tuple[int, float]]:
    paths = sorted(str(p) for p in folder.iterdir())
    proc = subprocess.run([sys.executable, "-c", IN_PROCESS, *paths], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return [tuple(json.loads(line)) for line in proc.stdout.splitlines()]  # type: ignore[misc]


def _tenths(total: int) -> list[int]:
    return sorted({max(1, round(total * k / 10)) for k in range(1, 11)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--apps", nargs="*", type=Path, default=[EXAMPLE],
                        help="app folders to copy, cycled (default: the example app)")
    parser.add_argument("--in-process", action="store_true",
                        help="also grade them in a loop of rubygrade.grade() in one process")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rubygrade-batch-memory"))
    parser.add_argument("--batch-args", default="", help="more arguments for rubygrade batch")
    args = parser.parse_args()

    folder = args.workdir / "repos"
    build(folder, args.repos, [a for a in args.apps if a.is_dir()])
    start = time.perf_counter()
    samples = batch(folder, args.jobs, args.batch_args.split())
    wall = time.perf_counter() - start
    print(f"rubygrade batch, {args.repos} repositories, --jobs {args.jobs}: {wall:.1f} s")
    print("  done   batch MB   grading processes MB (all together)")
    for mark in _tenths(args.repos):
        at = [s for s in samples if s[0] <= mark]
        if at:
            _, own, workers = max(at, key=lambda s: (s[0], s[1]))
            print(f"  {mark:>5}   {own:8.1f}   {workers:8.1f}")
    peak_own = max(s[1] for s in samples)
    peak_workers = max(s[2] for s in samples)
    print(f"  peak   {peak_own:8.1f}   {peak_workers:8.1f}")
    if args.in_process:
        rows = in_process(folder)
        print("rubygrade.grade() in a loop, one process:")
        print("  done   RSS MB")
        by = dict(rows)
        for mark in _tenths(len(rows)):
            print(f"  {mark:>5}   {by[mark]:8.1f}")


if __name__ == "__main__":
    main()
