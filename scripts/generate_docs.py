"""Regenerate docs/rules/ (one page per rule + index) and docs/schemas/*.schema.json.

Usage: python scripts/generate_docs.py [--check]
With --check nothing is written: the stale files (out of date, missing, or the page of a
removed rule) are listed and the exit code is 1 when there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rubygrade import docsgen

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    try:
        return _run(argv)
    except docsgen.RuleDocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(argv: list[str]) -> int:
    if "--check" in argv:
        stale = docsgen.stale(ROOT)
        for rel in stale:
            print(f"stale: {rel}")
        if stale:
            print("run `python scripts/generate_docs.py` to regenerate them", file=sys.stderr)
        return 1 if stale else 0
    for rel in docsgen.write(ROOT):
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
