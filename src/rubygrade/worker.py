"""A batch grading process: ``python -m rubygrade.worker``, driven through its standard streams.

The parent (:mod:`rubygrade.batch`, on this machine or on a Dask worker) writes one JSON
request per line (``{"path": ..., "rubric": ..., "brief": ..., "use_repo_config": ...,
"caller": ...}``) and reads one JSON batch line back for each. The process sets its own
memory limit (``--memory-limit`` bytes, ``RLIMIT_AS``) before it grades anything, collects
its garbage after every repository, and exits after ``--max-tasks`` repositories so the
parent starts a fresh one: memory stays flat however long the batch. The parent enforces
the timeout by killing the process. Anything the grading code prints goes to stderr, never
into the protocol.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys


def set_memory_limit(limit: int) -> None:
    """Cap this process's address space at ``limit`` bytes (0: no cap)."""
    if limit <= 0:
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rubygrade.worker")
    parser.add_argument("--memory-limit", type=int, default=0, help="bytes of address space")
    parser.add_argument("--max-tasks", type=int, default=0, help="exit after this many (0: never)")
    args = parser.parse_args(argv)

    # The protocol owns the original stdout; fd 1 now points at stderr, so a stray print
    # in the grading code cannot corrupt a reply.
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from rubygrade.batch import grade_one, memory_error_line  # imported once, before the cap
    from rubygrade.checks.base import all_collectors, all_rules

    all_rules()  # the rule modules too: a task's timeout then counts grading only
    all_collectors()

    set_memory_limit(args.memory_limit)
    protocol.write(b"ready\n")  # the parent starts a task's clock from here, not from spawn
    protocol.flush()
    done = 0
    for raw in sys.stdin.buffer:
        request = json.loads(raw)
        path = str(request["path"])
        try:
            line = grade_one(path, request.get("rubric"), request.get("brief"),
                             use_repo_config=bool(request.get("use_repo_config", False)),
                             caller=request.get("caller", "api"),
                             memory_limit=args.memory_limit)
            reply = json.dumps(line).encode("ascii") + b"\n"  # \u escapes: any path survives
        except MemoryError:  # rendering the report, or its reply, needed more
            line = memory_error_line(path, args.memory_limit)
            reply = json.dumps(line).encode("ascii") + b"\n"
        out_of_memory = line.get("limit") == "memory"
        del line
        protocol.write(reply)
        protocol.flush()
        del reply
        gc.collect()
        done += 1
        # After a MemoryError the heap may be fragmented or half-built: start afresh.
        if out_of_memory or (args.max_tasks and done >= args.max_tasks):
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
