"""The Dask executor against the process pool, on one batch; plain timing, no test framework.

Builds N repositories (copies of the example app, or of the ``--apps`` folders, cycled) and
times whole ``rubygrade batch`` commands: the process pool with ``--jobs J`` and the Dask
executor with a local cluster of J workers (cluster start-up included), for each J given,
and checks that every run wrote the same JSON lines.

    python benchmarks/dask_batch.py --repos 200 --workers 1,2
    python benchmarks/dask_batch.py --repos 200 --workers 1,2 --apps /work/apps/*
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from batch_memory import EXAMPLE, build  # noqa: E402


def timed(argv: list[str], out: Path) -> tuple[float, str]:
    start = time.perf_counter()
    subprocess.run(argv + ["--out", str(out), "-q"], cwd=REPO, check=True,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, hashlib.sha256(out.read_bytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--apps", nargs="*", type=Path, default=[EXAMPLE])
    parser.add_argument("--timeout", default="120")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rubygrade-dask-batch"))
    args = parser.parse_args()

    folder = args.workdir / "repos"
    build(folder, args.repos, [a for a in args.apps if a.is_dir()])
    base = [sys.executable, "-m", "rubygrade", "batch", str(folder), "--timeout", args.timeout]
    print(f"{args.repos} repositories ({', '.join(a.name for a in args.apps)})")
    print("| executor | workers | wall (s) | repos/s | output sha256 |")
    print("|---|---:|---:|---:|---|")
    digests = set()
    for workers in (int(w) for w in args.workers.split(",")):
        for name, extra in (("process pool", []), ("dask (local cluster)", ["--executor", "dask"])):
            wall, digest = timed(base + ["--jobs", str(workers), *extra],
                                 args.workdir / f"out-{workers}-{len(extra)}.jsonl")
            digests.add(digest)
            print(f"| {name} | {workers} | {wall:.1f} | {args.repos / wall:.1f} | {digest} |",
                  flush=True)
    print("identical lines in every run" if len(digests) == 1 else
          f"OUTPUTS DIFFER: {sorted(digests)}")


if __name__ == "__main__":
    main()
