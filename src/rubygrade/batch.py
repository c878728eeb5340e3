"""Grade many repositories in parallel: one JSON line each, then a leaderboard.

A benchmark's results folder holds one repository per sub-folder; each DIR
given is such a folder (a DIR that is itself a repository, with a Gemfile,
``config/application.rb`` or ``.git``, is graded as one). Every repository
yields exactly one line, in a fixed order: a report, a "not a Rails app"
line, or an error line. Nothing one repository does can stop the batch.

Grades in a batch are compared with each other, so by default a repository's
own configuration and its ``rubygrade:disable`` comments are ignored
(``Options.benchmark``); ``use_repo_config=True`` (``--use-repo-config``)
honours them, and every line says what changed its grade.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any, Literal, TextIO

from rubygrade import integrity
from rubygrade.models import DIMENSION_ORDER, GradeChange
from rubygrade.safetext import sanitise

_REPO_MARKERS = ("Gemfile", ".git", "config/application.rb")


def discover(dirs: list[str]) -> list[Path]:
    """The repositories to grade, in a deterministic order."""
    repos: list[Path] = []
    for name in dirs:
        base = Path(name)
        if not base.is_dir():
            repos.append(base)  # graded into an error line
        elif any((base / marker).exists() for marker in _REPO_MARKERS):
            repos.append(base)
        else:
            repos.extend(sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")))
    return repos


def grade_one(path: str, rubric: str | None = None, brief: str | None = None, *,
              use_repo_config: bool = False, caller: Literal["api", "command_line"] = "api",
              ) -> dict[str, Any]:
    """One line of the batch: never raises (errors become ``status: "error"``).

    The repository's configuration and inline suppressions are ignored unless
    ``use_repo_config``; the line's ``grade_changes`` and ``comparable`` say what changed it.
    """
    line: dict[str, Any] = {"repo": Path(path).name, "path": path}
    try:
        from rubygrade.brief import load_brief
        from rubygrade.engine import Options, grade
        from rubygrade.render.json import to_dict
        from rubygrade.rubric import load_rubric

        options = Options(rubric=load_rubric(rubric) if rubric else None,
                          brief=load_brief(brief) if brief else None,
                          use_config=use_repo_config, use_suppressions=use_repo_config,
                          caller=caller)
        report = grade(path, options)
    except Exception as exc:  # noqa: BLE001 - one bad repository must not stop the batch
        return {**line, "status": "error", "error": f"{type(exc).__name__}: {exc}"}
    status = "ok" if report.app_root is not None else "not_rails"
    summary = {
        "status": status, "total": report.total, "tier": report.tier,
        "scores": {d.key.value: d.score for d in report.dimensions},
        "findings": sum(1 for f in report.findings if not f.suppressed),
        "comparable": report.comparable,
        "grade_changes": [c.model_dump(mode="json") for c in report.grade_changes],
    }
    if status == "not_rails":
        summary["error"] = "not a Rails app"
    return {**line, **summary, "report": to_dict(report)}


def run(repos: list[Path], jobs: int = 1, rubric: str | None = None, brief: str | None = None,
        progress: Callable[[int, int, str], None] | None = None, *,
        use_repo_config: bool = False, caller: Literal["api", "command_line"] = "api",
        ) -> Iterator[dict[str, Any]]:
    """Grade ``repos`` with ``jobs`` processes; yield lines in the order of ``repos``.

    Repository configuration and suppressions are ignored unless ``use_repo_config``.
    """
    paths = [str(p) for p in repos]
    grade = partial(grade_one, use_repo_config=use_repo_config, caller=caller)
    if jobs <= 1:
        for i, path in enumerate(paths, start=1):
            line = grade(path, rubric, brief)
            if progress:
                progress(i, len(paths), line["repo"])
            yield line
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(grade, path, rubric, brief) for path in paths]
        for i, (path, future) in enumerate(zip(paths, futures, strict=True), start=1):
            try:
                line = future.result()
            except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                line = {"repo": Path(path).name, "path": path, "status": "error",
                        "error": f"worker process died: {exc}"}
            if progress:
                progress(i, len(paths), line["repo"])
            yield line


def stderr_progress(stream: TextIO | None = None) -> Callable[[int, int, str], None]:
    """A progress bar on a terminal, one line per repository otherwise (CI logs)."""
    out = stream or sys.stderr
    tty = out.isatty()

    def show(done: int, total: int, name: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        text = f"[{bar}] {done}/{total} {name}"
        out.write(("\r" + text[:100].ljust(100)) if tty else text + "\n")
        if tty and done == total:
            out.write("\n")
        out.flush()

    return show


def _ranked(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    graded = sorted((x for x in lines if x["status"] == "ok"), key=lambda x: (-x["total"], x["repo"]))
    others = sorted((x for x in lines if x["status"] != "ok"), key=lambda x: x["repo"])
    return graded + others


def grade_note(line: dict[str, Any]) -> str:
    """What changed a line's grade, for the leaderboard's last column ("" for a default grade)."""
    changes = [GradeChange.model_validate(c) for c in line.get("grade_changes", [])]
    return integrity.note(changes, line.get("comparable", True))


def leaderboard_rows(lines: list[dict[str, Any]]) -> list[list[str]]:
    header = ["rank", "repo", "total", "tier"] + [d.value for d in DIMENSION_ORDER] + ["changed_by"]
    rows = [header]
    for rank, line in enumerate(_ranked(lines), start=1):
        if line["status"] != "ok":
            rows.append(["", line["repo"], "", line.get("error", line["status"]).split("\n")[0]]
                        + [""] * len(DIMENSION_ORDER) + [""])
            continue
        rows.append([str(rank), line["repo"], f"{line['total']:g}", line["tier"]]
                    + [f"{line['scores'][d.value]:g}" for d in DIMENSION_ORDER] + [grade_note(line)])
    return rows


def leaderboard(lines: list[dict[str, Any]], fmt: str) -> str:
    rows = leaderboard_rows(lines)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()
    cells = [[c.replace("|", "\\|") for c in row] for row in rows]
    md = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    md += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    notes = ""
    if any(row[-1] for row in rows[1:]):
        notes = ("\n`changed_by` names what besides the shipped rubric, brief and rules set a "
                 "grade (the repository's configuration or suppressions, the caller's options); "
                 "a grade marked *not comparable* was moved by them and does not rank fairly "
                 "beside the others. Each line of the JSON Lines output lists them in "
                 "`grade_changes`.\n")
    return "# rubygrade leaderboard\n\n" + "\n".join(md) + "\n" + notes


def dumps_line(line: dict[str, Any]) -> str:
    """One JSON Lines record; every string valid Unicode (a repository folder or file name with
    undecodable bytes is written with ``\\xNN`` escapes, never as a lone surrogate)."""
    return json.dumps(sanitise(line), ensure_ascii=False, sort_keys=False) + "\n"
