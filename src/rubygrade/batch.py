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
import errno
import gc
import io
import json
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator
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
              memory_limit: int = 0) -> dict[str, Any]:
    """One line of the batch: never raises (errors become ``status: "error"``).

    The repository's configuration and inline suppressions are ignored unless
    ``use_repo_config``; the line's ``grade_changes`` and ``comparable`` say what changed it.
    ``memory_limit`` is only named in the line of a repository that ran out of memory.
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
    except MemoryError:  # under --memory-limit (rubygrade.worker caps its address space)
        return memory_error_line(path, memory_limit)
    except Exception as exc:  # noqa: BLE001 - one bad repository must not stop the batch
        if memory_limit and _out_of_memory(exc):
            return memory_error_line(path, memory_limit)
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


#: What a process's last words say when the address-space cap stopped it.
_MEMORY_MARKERS = ("MemoryError", "Cannot allocate memory", "bad_alloc", "out of memory")


def _out_of_memory(exc: BaseException) -> bool:
    """An error that the address-space cap caused without being a MemoryError: a ``git``
    subprocess that cannot fork (ENOMEM), a C extension's failed allocation."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MemoryError) or (
                isinstance(current, OSError) and current.errno == errno.ENOMEM) or \
                any(marker in str(current) for marker in _MEMORY_MARKERS[1:]):
            return True
        current = current.__cause__ or current.__context__
    return False


def _failure(path: str, error: str, limit: str | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"repo": Path(path).name, "path": path, "status": "error",
                            "error": error}
    if limit:
        line["limit"] = limit  # "timeout" or "memory": a bound of the batch stopped it
    return line


def memory_error_line(path: str, limit: int) -> dict[str, Any]:
    bound = f"the {format_size(limit)} memory limit" if limit else "the memory available"
    return _failure(path, f"memory limit: grading needed more than {bound}", "memory")


def timeout_line(path: str, timeout: float) -> dict[str, Any]:
    return _failure(path, f"timeout: not graded within {timeout:g} s; its worker was stopped",
                    "timeout")


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """``2G``, ``512M``, ``1.5GiB``, ``1000000`` -> bytes (binary units). Raises ValueError."""
    m = _SIZE.match(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (use e.g. 2G or 512M)")
    value = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if value < 1:
        raise ValueError(f"not a size: {text!r} (it must be positive)")
    return value


def format_size(size: int) -> str:
    for unit, scale in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size >= scale:
            return f"{size / scale:g}{unit}"
    return f"{size}B"


# -- grading processes -----------------------------------------------------------------
#: Repositories a grading process handles before a fresh one replaces it.
MAX_TASKS_PER_WORKER = 50
#: Seconds a grading process may take to start (import rubygrade) before it counts as dead.
STARTUP_TIMEOUT = 120.0


class _Grader:
    """One ``python -m rubygrade.worker`` process and the thread that reads its replies."""

    def __init__(self, memory_limit: int, max_tasks: int) -> None:
        import subprocess
        import tempfile

        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rubygrade.worker", "--memory-limit", str(memory_limit),
             "--max-tasks", str(max_tasks)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        self.replies: queue.Queue[bytes] = queue.Queue()
        self.tasks = 0
        self.max_tasks = max_tasks
        self.ready = False
        self.retiring = False
        self.startup_timed_out = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _wait_ready(self) -> bool:
        """Wait for the process to have imported rubygrade (not counted in a timeout)."""
        if not self.ready:
            try:
                self.ready = self.replies.get(timeout=STARTUP_TIMEOUT) == b"ready\n"
            except queue.Empty:
                self.startup_timed_out = True
                self.kill()
        return self.ready

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.replies.put(raw)
        self.replies.put(b"")  # end of stream: the process exited

    @property
    def spent(self) -> bool:
        return self.retiring or self.tasks >= self.max_tasks or self.proc.poll() is not None

    def grade(self, path: str, rubric: str | None, brief: str | None, timeout: float | None,
              memory_limit: int, use_repo_config: bool = False,
              caller: Literal["api", "command_line"] = "api") -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.tasks += 1
        if not self._wait_ready():
            if self.startup_timed_out:
                self.retiring = True
                return _failure(path, f"worker process did not start within "
                                      f"{STARTUP_TIMEOUT:g} s")
            return self._died(path, memory_limit)
        request = json.dumps({"path": path, "rubric": rubric, "brief": brief,
                              "use_repo_config": use_repo_config,
                              "caller": caller}).encode() + b"\n"
        try:
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._died(path, memory_limit)
        try:
            raw = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            return timeout_line(path, timeout or 0)
        if not raw:
            return self._died(path, memory_limit)
        line: dict[str, Any] = json.loads(raw)
        if line.get("limit") == "memory":
            self.retiring = True  # the worker exits after a MemoryError (rubygrade.worker)
        return line

    def _died(self, path: str, memory_limit: int) -> dict[str, Any]:
        code = self.proc.wait()
        self.retiring = True
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        self._stderr.seek(0)
        tail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
        last = tail[-1:]
        if memory_limit and (code < 0 or any(marker in x for x in tail
                                             for marker in _MEMORY_MARKERS)):
            return _failure(path, f"memory limit: the worker died ({how}) under the "
                                  f"{format_size(memory_limit)} memory limit", "memory")
        return _failure(path, f"worker process died ({how})" + (f": {last[0]}" if last else ""))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            try:
                self.proc.stdin.close()  # end of requests: the worker exits on its own
                self.proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - closing must not raise
                pass
        self.kill()
        self._stderr.close()


class GraderPool:
    """Grading processes shared by the threads of this process, one per task in flight.

    Each task checks a process out, sends it one repository and waits at most ``timeout``
    seconds; a process that times out is killed, and one that dies or has graded
    ``max_tasks`` repositories is replaced by a fresh one.
    """

    def __init__(self, memory_limit: int = 0, max_tasks: int = MAX_TASKS_PER_WORKER) -> None:
        self.memory_limit = memory_limit
        self.max_tasks = max_tasks
        self._idle: list[_Grader] = []
        self._all: set[_Grader] = set()
        self._closed = False
        self._lock = threading.Lock()

    def grade(self, path: str, rubric: str | None = None, brief: str | None = None,
              timeout: float | None = None, *, use_repo_config: bool = False,
              caller: Literal["api", "command_line"] = "api") -> dict[str, Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the grading pool is closed")
            grader = self._idle.pop() if self._idle else None
            if grader is None:
                grader = _Grader(self.memory_limit, self.max_tasks)
                self._all.add(grader)
        try:
            line = grader.grade(path, rubric, brief, timeout, self.memory_limit,
                                use_repo_config, caller)
            if grader.proc.returncode == 0 and line.get("error", "").startswith("worker process died"):
                # It had exited on its own (its task count) as the request arrived: not this
                # repository's doing, so a fresh process grades it.
                self._retire(grader)
                with self._lock:
                    grader = _Grader(self.memory_limit, self.max_tasks)
                    self._all.add(grader)
                line = grader.grade(path, rubric, brief, timeout, self.memory_limit,
                                    use_repo_config, caller)
        except BaseException:
            self._retire(grader)
            raise
        if grader.spent:
            self._retire(grader)
        else:
            with self._lock:
                self._idle.append(grader)
        return line

    def _retire(self, grader: _Grader) -> None:
        with self._lock:
            self._all.discard(grader)
        grader.close()

    def close(self) -> None:
        """Stop every grading process, the busy ones too (their tasks end as error lines)."""
        with self._lock:
            self._closed = True
            graders, self._all, self._idle = list(self._all), set(), []
        for grader in graders:
            grader.close()


def run(repos: list[Path], jobs: int = 1, rubric: str | None = None, brief: str | None = None,
        progress: Callable[[int, int, str], None] | None = None, *,
        timeout: float | None = None, memory_limit: int = 0,
        use_repo_config: bool = False, caller: Literal["api", "command_line"] = "api",
        ) -> Iterator[dict[str, Any]]:
    """Grade ``repos`` with ``jobs`` processes; yield lines in the order of ``repos``.

    With one job and no timeout or memory limit, grading runs in this process; otherwise
    each repository goes to a grading process (:mod:`rubygrade.worker`) that is killed
    when it passes ``timeout`` seconds and cannot grow past ``memory_limit`` bytes: its
    line then records why (``"limit": "timeout"`` or ``"memory"``) and the batch goes on.
    Repository configuration and suppressions are ignored unless ``use_repo_config``.
    ``progress(done, total, repo)`` is called as each repository finishes.
    """
    paths = [str(p) for p in repos]
    if jobs <= 1 and not timeout and not memory_limit:
        for i, path in enumerate(paths, start=1):
            line = grade_one(path, rubric, brief, use_repo_config=use_repo_config, caller=caller)
            gc.collect()  # whatever a run leaves in cycles goes now, not at the batch's end
            if progress:
                progress(i, len(paths), line["repo"])
            yield line
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    pool = GraderPool(memory_limit)
    report = _Progress(len(paths), progress)
    executor = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures: list[Future[dict[str, Any]] | None] = []
    try:
        for path in paths:
            submitted = executor.submit(pool.grade, path, rubric, brief, timeout,
                                        use_repo_config=use_repo_config, caller=caller)
            submitted.add_done_callback(report.callback(Path(path).name))
            futures.append(submitted)
        for i, path in enumerate(paths):
            future, futures[i] = futures[i], None  # a yielded line is the caller's, not ours
            assert future is not None
            try:
                line = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. the worker could not start
                line = _failure(path, f"{type(exc).__name__}: {exc}")
            del future
            yield line
    finally:
        for pending in futures:
            if pending is not None:
                pending.cancel()
        pool.close()  # a batch stopped early (Ctrl-C, a closed generator) stops its workers
        executor.shutdown(wait=True, cancel_futures=True)


class _Progress:
    """Calls ``progress`` from whichever thread finishes a repository, one at a time."""

    def __init__(self, total: int, progress: Callable[[int, int, str], None] | None) -> None:
        self.total = total
        self.count = 0
        self.progress = progress
        self._lock = threading.Lock()

    def done(self, name: str) -> None:
        with self._lock:
            self.count += 1
            if self.progress:
                self.progress(self.count, self.total, name)

    def callback(self, name: str) -> Callable[[object], None]:
        """A future's done-callback that reports ``name``."""
        return lambda _future: self.done(name)


# -- Dask -------------------------------------------------------------------------------
_DASK_POOLS: dict[int, GraderPool] = {}
_DASK_LOCK = threading.Lock()


def _dask_pool(memory_limit: int) -> GraderPool:
    """This process's grading processes (one pool per Dask worker process, per limit)."""
    with _DASK_LOCK:
        pool = _DASK_POOLS.get(memory_limit)
        if pool is None:
            import atexit

            pool = _DASK_POOLS[memory_limit] = GraderPool(memory_limit)
            atexit.register(pool.close)
        return pool


def dask_task(path: str, rubric: str | None, brief: str | None, timeout: float | None,
              memory_limit: int, use_repo_config: bool = False,
              caller: Literal["api", "command_line"] = "api") -> dict[str, Any]:
    """The task a Dask worker runs: grade one repository in a grading process of its own
    machine, under the same timeout, memory limit and configuration policy as the local
    pool."""
    return _dask_pool(memory_limit).grade(path, rubric, brief, timeout,
                                          use_repo_config=use_repo_config, caller=caller)


def run_dask(repos: list[Path], client: Any = None, *, scheduler: str | None = None,
             jobs: int = 1, rubric: str | None = None, brief: str | None = None,
             progress: Callable[[int, int, str], None] | None = None,
             timeout: float | None = None, memory_limit: int = 0,
             retries: int = 2, use_repo_config: bool = False,
             caller: Literal["api", "command_line"] = "api") -> Iterator[dict[str, Any]]:
    """Grade ``repos`` on a Dask cluster; yield the same lines as :func:`run`, in order.

    ``client`` is a ``dask.distributed.Client``; without one, ``scheduler`` names a
    scheduler to connect to (``tcp://host:8786``), and without that a local cluster of
    ``jobs`` worker processes is started for the batch. Every worker must have rubygrade
    installed and see the repositories (and any rubric or brief) at the same paths. A task
    whose worker is lost is run again elsewhere by the scheduler (its ``allowed-failures``);
    a task that fails is retried ``retries`` times; after that its line is an error line.
    Repository configuration and suppressions are ignored unless ``use_repo_config``.
    """
    try:
        import distributed  # noqa: F401 - checked here, before the first line is asked for
    except ImportError as exc:
        raise ImportError("Dask is not installed: pip install 'rubygrade[dask]'") from exc
    return _dask_lines(repos, client, scheduler, jobs, rubric, brief, progress, timeout,
                       memory_limit, retries, use_repo_config, caller)


def _dask_lines(repos: list[Path], client: Any, scheduler: str | None, jobs: int,
                rubric: str | None, brief: str | None,
                progress: Callable[[int, int, str], None] | None, timeout: float | None,
                memory_limit: int, retries: int, use_repo_config: bool,
                caller: Literal["api", "command_line"]) -> Iterator[dict[str, Any]]:
    import uuid

    from distributed import Client, LocalCluster

    paths = [str(p) for p in repos]
    own: list[Any] = []
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            import logging

            cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1,
                                   processes=True, dashboard_address=":0",
                                   silence_logs=logging.CRITICAL)
            own.append(cluster)
            client = Client(cluster)
        own.insert(0, client)
    report = _Progress(len(paths), progress)
    batch_id = uuid.uuid4().hex[:12]
    futures = client.map(dask_task, paths, rubric=rubric, brief=brief, timeout=timeout,
                         memory_limit=memory_limit, use_repo_config=use_repo_config,
                         caller=caller, retries=retries, pure=False,
                         key=[f"rubygrade-{batch_id}-{i}" for i in range(len(paths))])
    for path, future in zip(paths, futures, strict=True):
        future.add_done_callback(report.callback(Path(path).name))
    try:
        for i, path in enumerate(paths):
            future, futures[i] = futures[i], None  # released once its line is yielded
            try:
                line = future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a failed task, ...
                name = type(exc).__name__
                line = _failure(path, "lost its Dask worker too many times; not graded"
                                if name == "KilledWorker" else f"{name}: {exc}")
            future.release()
            del future
            yield line
    finally:
        for future in futures:
            if future is not None:
                future.cancel()
        for thing in own:
            thing.close()


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
