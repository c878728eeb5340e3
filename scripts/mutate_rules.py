"""Show that the tests can fail: replace one rule's ``check`` with a no-op and run the suite.

Usage: python scripts/mutate_rules.py [RULE_ID ...] [--jobs N] [--all-tests]

For each rule (every stable rule unless IDs are given) this runs the fast test
suite (``-m "not slow"``) in a fresh pytest process in which that rule's
``check`` does nothing, and prints the first test that failed. A rule whose
no-op leaves every test green "survives": its behaviour is not pinned by any
test. The exit code is 1 when a rule survives.

The tests that name the rule run first and the run stops at the first failure
(``-x``), so a killed mutant costs seconds; ``--all-tests`` runs the whole suite
for each rule and counts every failing test instead. Not part of CI: it runs the
suite once per rule.

This file is also the pytest plugin the runs load (``-p mutate_rules``): with
``RUBYGRADE_MUTANT=RG401`` in the environment it makes RG401's check a no-op.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENV = "RUBYGRADE_MUTANT"


# -- the plugin ------------------------------------------------------------------------------
def pytest_configure(config: Any) -> None:
    rule_id = os.environ.get(ENV)
    if not rule_id:
        return
    from rubygrade.checks.base import rule_by_id

    rule = rule_by_id(rule_id)
    if rule is None:
        raise SystemExit(f"{ENV}={rule_id}: no such rule")

    def no_op(self: object, ctx: object) -> None:
        return None

    rule.check = no_op  # type: ignore[method-assign]


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    rule_id = os.environ.get(ENV)
    if rule_id:  # the tests most likely to notice first, then the rule tests, then the rest
        items.sort(key=lambda item: (rule_id not in item.nodeid,
                                     not item.nodeid.startswith("tests/rules/")))


# -- the runner ------------------------------------------------------------------------------
_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)


def mutate(rule_id: str, all_tests: bool) -> tuple[str, list[str], float]:
    """Run the fast suite with ``rule_id`` made a no-op: (rule, failing tests, seconds)."""
    env = {**os.environ, ENV: rule_id,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "scripts"),
                                                       os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "mutate_rules",
               "-p", "no:cacheprovider", "-rfE", "--no-header"]
    if not all_tests:
        command.append("-x")
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)
    failed = _FAILED.findall(result.stdout)
    if result.returncode not in (0, 1) or (result.returncode == 1 and not failed):
        failed = [f"(pytest exited {result.returncode}: {result.stdout[-300:]}{result.stderr[-300:]})"]
    return rule_id, failed, time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rules", nargs="*", help="rule IDs (default: every stable rule)")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--all-tests", action="store_true",
                        help="run every test for each rule and count the failures")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from rubygrade.checks.base import all_rules

    known = {r.id: r for r in all_rules()}
    rules = [r.upper() for r in args.rules] or [r.id for r in known.values() if r.status == "stable"]
    unknown = [r for r in rules if r not in known]
    if unknown:
        parser.error(f"unknown rule(s): {', '.join(unknown)}")
    survivors = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for rule_id, failed, seconds in pool.map(lambda r: mutate(r, args.all_tests), rules):
            if failed and args.all_tests:
                modules = sorted({f.split("::")[0] for f in failed})
                print(f"{rule_id}: {len(failed)} failing tests in {', '.join(modules)} "
                      f"({seconds:.0f}s)", flush=True)
            elif failed:
                print(f"{rule_id}: killed by {failed[0]} ({seconds:.0f}s)", flush=True)
            else:
                survivors.append(rule_id)
                print(f"{rule_id}: SURVIVED, every test passed with a no-op check ({seconds:.0f}s)",
                      flush=True)
    print(f"{len(rules)} rule(s) mutated: {len(rules) - len(survivors)} killed, "
          f"{len(survivors)} survived{': ' + ', '.join(survivors) if survivors else ''}")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
