"""How close rubygrade's grades are to the hand audits in benchmarks/audits/.

    python benchmarks/accuracy.py [--corpus DIR] [--json]

Grades every audited app (the folder of the app's name under ``--corpus``, default
/work/corpus) with the shipped rubric and brief, ignoring the repository's own
configuration and suppressions (as a benchmark does), and prints per app the audit's
and rubygrade's dimension scores, then the mean absolute error per dimension and in
total, and the tier agreement. An internal error while grading an app is printed and
makes the exit code 1. The audits were written before their apps were graded.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUDITS = ROOT / "benchmarks" / "audits"
DIMENSIONS = ("deliverables", "rubyllm", "tests", "errors", "persistence", "hotwire",
              "architecture", "production")
SHORT = {"deliverables": "del", "rubyllm": "llm", "tests": "tst", "errors": "err",
         "persistence": "per", "hotwire": "hot", "architecture": "arc", "production": "prd"}


def load_audits() -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(AUDITS.glob("*.toml"))]


def grade_app(folder: str) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from rubygrade.engine import Options, grade

    report = grade(folder, Options(use_config=False, use_suppressions=False))
    return {"total": report.total, "tier": report.tier,
            "scores": {d.key.value: d.score for d in report.dimensions},
            # a crashed analysis or rule grades on less than the app holds: say so
            "internal": [d.message for d in report.diagnostics if d.kind == "internal"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/work/corpus", help="folder of the checked-out apps")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    audits = [a for a in load_audits() if (Path(args.corpus) / a["app"]).is_dir()]
    if not audits:
        print(f"no audited app found under {args.corpus}", file=sys.stderr)
        return 2
    with ProcessPoolExecutor(args.jobs) as pool:
        graded = list(pool.map(grade_app, [str(Path(args.corpus) / a["app"]) for a in audits]))
    rows = []
    for audit, got in zip(audits, graded, strict=True):
        want = {d: float(audit["scores"][d]["score"]) for d in DIMENSIONS}
        rows.append({"app": audit["app"], "audit": want, "audit_total": float(audit["total"]["score"]),
                     "audit_tier": audit["total"]["tier"], "graded": got["scores"],
                     "total": got["total"], "tier": got["tier"], "internal": got["internal"]})
    mae = {d: sum(abs(r["graded"][d] - r["audit"][d]) for r in rows) / len(rows) for d in DIMENSIONS}
    total_mae = sum(abs(r["total"] - r["audit_total"]) for r in rows) / len(rows)
    agree = sum(r["tier"] == r["audit_tier"] for r in rows)
    if args.json:
        print(json.dumps({"apps": rows, "mae": mae, "total_mae": total_mae,
                          "tier_agreement": [agree, len(rows)]}, indent=2, sort_keys=True))
        return 0
    head = " ".join(f"{SHORT[d]:>9}" for d in DIMENSIONS)
    print(f"{'app':22} {head} {'total':>13} tier")
    for r in rows:
        cells = " ".join(f"{r['audit'][d]:>4g}/{r['graded'][d]:<4g}" for d in DIMENSIONS)
        print(f"{r['app'][:22]:22} {cells} {r['audit_total']:>6g}/{r['total']:<6g} "
              f"{r['audit_tier']}/{r['tier']}")
    print("cells are audit/rubygrade")
    print("MAE  " + "  ".join(f"{SHORT[d]} {mae[d]:.2f}" for d in DIMENSIONS))
    print(f"total MAE {total_mae:.2f}; tier agreement {agree}/{len(rows)}")
    crashed = [(r["app"], m) for r in rows for m in r["internal"]]
    for app, message in crashed:
        print(f"internal error while grading {app} (its grade is not to be trusted): {message}")
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
