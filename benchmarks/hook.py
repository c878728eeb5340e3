"""Benchmark the pre-commit hook on a one-file commit of the example app (not a test).

It builds a git repository with ``examples/chatapp`` two folders down
(``apps/web/chatapp``), commits it, changes one service file and stages it,
then times the hook's command, ``rubygrade check FILE``, as a whole process
(interpreter start and imports included), from that repository's root, as
pre-commit runs it. It prints the median, minimum and maximum wall time of
``--runs`` runs after one warm-up run, and the command, so any external timer
can repeat the measurement:

    python benchmarks/hook.py --runs 10
    python benchmarks/hook.py --prepare /tmp/hook-bench   # only build the repository

The target is under 1 s on the example app (docs/pre-commit.md has the figure).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "chatapp"
APP = "apps/web/chatapp"
CHANGED = f"{APP}/app/services/chat_session.rb"


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, env=env, check=True, capture_output=True)


def prepare(root: Path) -> list[str]:
    """The repository with one staged change; returns the hook command to time (run in root)."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(EXAMPLE, root / APP)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "app")
    service = root / CHANGED
    service.write_text(service.read_text(encoding="utf-8") + "\n# a one-line change\n", encoding="utf-8")
    _git(root, "add", CHANGED)
    rubygrade = Path(sys.executable).with_name("rubygrade")
    return [str(rubygrade), "check", CHANGED]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--prepare", type=Path, metavar="DIR",
                        help="only build the repository in DIR and print the command")
    args = parser.parse_args(argv)
    if args.prepare:
        command = prepare(args.prepare)
        print(f"cd {args.prepare} && {' '.join(command)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        command = prepare(root)
        times = []
        # An installed package has its bytecode compiled; let the warm-up run write it.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for i in range(args.runs + 1):
            start = time.perf_counter()
            result = subprocess.run(command, cwd=root, capture_output=True, check=False, env=env)
            elapsed = time.perf_counter() - start
            if result.returncode not in (0, 1):
                print(result.stderr.decode(errors="replace"), file=sys.stderr)
                return 1
            if i:  # the first run warms the file cache
                times.append(elapsed)
    print(f"hook on a one-file commit ({CHANGED}): median {statistics.median(times):.3f} s, "
          f"min {min(times):.3f} s, max {max(times):.3f} s over {args.runs} runs")
    shown = " ".join([Path(command[0]).name, *command[1:]])
    print(f"command (from the repository root): {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
