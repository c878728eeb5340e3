"""Regenerate docs/rules/ (one page per rule + index) and docs/schemas/*.schema.json.

Usage: python scripts/generate_docs.py [--check]
With --check nothing is written; the exit code is 1 when a file is stale.
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
        stale = [rel for rel, content in docsgen.generated_files().items()
                 if not (ROOT / rel).is_file() or (ROOT / rel).read_text(encoding="utf-8") != content]
        for rel in stale:
            print(f"stale: {rel}")
        return 1 if stale else 0
    for rel in docsgen.write(ROOT):
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
