"""What a grading process spends importing before it reads a file; plain timing, no test framework.

Each run is a fresh process that times, one after the other: tree-sitter with its three
grammars (what the parse-only floor imports too), rubygrade's command line and engine, then
every rule module (``checks.base.load_all``). Medians of ``--runs`` processes, in ms.
Bytecode is compiled first, as ``pip install`` does.

    python benchmarks/startup.py --runs 11
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import compile_bytecode  # noqa: E402

PROBE = r'''
import json, time
t0 = time.perf_counter()
import tree_sitter, tree_sitter_ruby, tree_sitter_javascript, tree_sitter_embedded_template
t1 = time.perf_counter()
import rubygrade.cli, rubygrade.engine
t2 = time.perf_counter()
from rubygrade.checks.base import load_all
load_all()
t3 = time.perf_counter()
print(json.dumps({"tree-sitter": t1 - t0, "engine": t2 - t1, "rules": t3 - t2}))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    compile_bytecode()
    samples: dict[str, list[float]] = {}
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                             check=True).stdout
        for name, seconds in json.loads(out).items():
            samples.setdefault(name, []).append(seconds * 1000)
    for name, values in samples.items():
        print(f"{name:12s} median {statistics.median(values):6.1f} ms  "
              f"(min {min(values):.1f}, max {max(values):.1f})")
    total = sum(statistics.median(v) for k, v in samples.items() if k != "tree-sitter")
    print(f"{'rubygrade':12s} median {total:6.1f} ms  (engine + rules)")


if __name__ == "__main__":
    main()
