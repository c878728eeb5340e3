"""Batch at scale: per-repository timeout and memory limit, fresh grading processes, no
cyclic garbage left by a run, and the Dask executor giving the process pool's lines."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from rubygrade import batch, grade
from rubygrade.cli import main

from .conftest import EXAMPLE

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import generate  # noqa: E402

# A generated app 200 times the example app: grading it takes about 50 times as long as the
# example app in a warm grading process (seconds against a tenth of one) and needs about
# 400 MB, so a bound between the two stops it alone, with room for a loaded machine.
SLOW_FACTOR = 200
TIMEOUT = 2.0
MEMORY = "90M"


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "repos"
    shutil.copytree(EXAMPLE, root / "a-small")
    generate.generate(root / "b-large", SLOW_FACTOR)
    shutil.copytree(EXAMPLE, root / "c-small")
    return root


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_timeout_stops_one_repository_and_the_batch_goes_on(repos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(repos), "--jobs", "2", "--timeout", str(TIMEOUT), "-q",
                 "--out", str(out)]) == 0
    lines = _lines(out)
    assert [x["repo"] for x in lines] == ["a-small", "b-large", "c-small"]
    assert [x["status"] for x in lines] == ["ok", "error", "ok"]
    assert lines[1]["limit"] == "timeout" and f"within {TIMEOUT:g} s" in str(lines[1]["error"])
    assert "limit" not in lines[0] and lines[0]["report"]


def test_memory_limit_stops_one_repository_and_the_batch_goes_on(repos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(repos), "--jobs", "1", "--memory-limit", MEMORY, "--timeout", "0",
                 "-q", "--out", str(out)]) == 0
    lines = _lines(out)
    assert [x["status"] for x in lines] == ["ok", "error", "ok"]
    assert lines[1]["limit"] == "memory" and MEMORY in str(lines[1]["error"])
    # The repository after the one that ran out of memory is graded like the first.
    assert lines[2]["total"] == lines[0]["total"]


def test_limits_do_not_change_lines_that_stay_within_them(tmp_path: Path) -> None:
    for name in ("one", "two", "three"):
        shutil.copytree(EXAMPLE, tmp_path / "repos" / name)
    repos = batch.discover([str(tmp_path / "repos")])
    plain = [batch.dumps_line(x) for x in batch.run(repos, jobs=1)]
    bounded = [batch.dumps_line(x) for x in batch.run(repos, jobs=2, timeout=300,
                                                        memory_limit=batch.parse_size("4G"))]
    assert bounded == plain


def test_grading_processes_are_replaced_after_their_quota(tmp_path: Path) -> None:
    for i in range(5):
        shutil.copytree(EXAMPLE, tmp_path / "repos" / f"r{i}")
    repos = [str(p) for p in batch.discover([str(tmp_path / "repos")])]
    pool = batch.GraderPool(max_tasks=2)
    started = []
    real = batch._Grader.__init__

    def spy(self: batch._Grader, *args: object) -> None:
        real(self, *args)  # type: ignore[arg-type]
        started.append(self.proc.pid)

    batch._Grader.__init__ = spy  # type: ignore[method-assign]
    try:
        lines = [pool.grade(path, timeout=300) for path in repos]
    finally:
        batch._Grader.__init__ = real  # type: ignore[method-assign]
        pool.close()
    assert [x["status"] for x in lines] == ["ok"] * 5
    assert len(started) == 3 and len(set(started)) == 3  # 2 + 2 + 1 repositories


def test_progress_counts_every_repository(repos: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    lines = list(batch.run(batch.discover([str(repos)]), jobs=2, timeout=TIMEOUT,
                           progress=lambda done, total, name: seen.append((done, total, name))))
    assert len(lines) == 3
    assert [d for d, _, _ in seen] == [1, 2, 3] and {t for _, t, _ in seen} == {3}
    assert {n for _, _, n in seen} == {"a-small", "b-large", "c-small"}


def test_a_run_leaves_no_cyclic_garbage() -> None:
    # A cycle through the index would keep every tree of a run alive until a full
    # collection; the run pauses the collector, so a batch would grow per repository.
    grade(EXAMPLE)
    gc.collect()
    grade(EXAMPLE)
    assert gc.collect() == 0


def test_size_and_flag_parsing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert batch.parse_size("2G") == 2 << 30 and batch.parse_size("512m") == 512 << 20
    assert batch.parse_size("1.5GiB") == 3 << 29 and batch.parse_size("4096") == 4096
    for bad in ("", "0", "2X", "-1G"):
        with pytest.raises(ValueError):
            batch.parse_size(bad)
    assert main(["batch", str(tmp_path), "--memory-limit", "lots"]) == 2
    assert main(["batch", str(tmp_path), "--timeout", "-1"]) == 2
    assert main(["batch", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err


# -- Dask ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_dask_executor_gives_the_process_pool_lines(repos: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    for name in ("d-broken", "e-not-rails"):
        (tmp_path / name).mkdir()
    (tmp_path / "e-not-rails" / "main.py").write_text("print('hi')\n", encoding="utf-8")
    broken = tmp_path / "d-broken"
    shutil.copytree(EXAMPLE, broken, dirs_exist_ok=True)
    (broken / "app" / "services" / "bad.rb").write_bytes(b"class (\n\x00\xff")
    listed = batch.discover([str(repos)]) + [broken, tmp_path / "e-not-rails", tmp_path / "gone"]
    pool_lines = [batch.dumps_line(x) for x in batch.run(listed, jobs=2, timeout=TIMEOUT)]

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    try:
        seen: list[int] = []
        dask_lines = [batch.dumps_line(x) for x in batch.run_dask(
            listed, client, timeout=TIMEOUT, progress=lambda done, total, name: seen.append(done))]
        assert dask_lines == pool_lines
        assert sorted(seen) == list(range(1, len(listed) + 1))
        statuses = [json.loads(x)["status"] for x in dask_lines]
        assert statuses == ["ok", "error", "ok", "ok", "not_rails", "error"]
        # The command line, against the same scheduler.
        out = tmp_path / "cli.jsonl"
        assert main(["batch", str(repos), "--executor", "dask", "--scheduler",
                     cluster.scheduler_address, "--timeout", str(TIMEOUT), "-q",
                     "--out", str(out)]) == 0
        assert out.read_text(encoding="utf-8").splitlines(keepends=True) == pool_lines[:3]
        # A worker lost in the middle of a task: the scheduler runs the task again elsewhere.
        killed: list[str] = []

        def kill_a_busy_worker() -> None:
            deadline = time.monotonic() + 30
            while not killed and time.monotonic() < deadline:
                busy = [addr for addr, keys in client.processing().items() if keys]
                if busy:
                    killed.append(busy[0])
                    with contextlib.suppress(Exception):
                        client.run(os._exit, 1, workers=[busy[0]], wait=False)
                time.sleep(0.2)

        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        again = [batch.dumps_line(x) for x in batch.run_dask(listed, client, timeout=TIMEOUT)]
        killer.join()
        assert killed and again == pool_lines
    finally:
        client.close()
        cluster.close()


def test_dask_executor_without_dask_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    assert main(["batch", str(tmp_path), "--executor", "dask", "-q"]) == 2
    assert "pip install 'rubygrade[dask]'" in capsys.readouterr().err


def test_a_fork_the_memory_cap_refuses_is_reported_as_the_memory_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import rubygrade.engine

    def refuse(*_: object, **__: object) -> None:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")  # git ls-files under RLIMIT_AS

    monkeypatch.setattr(rubygrade.engine, "grade", refuse)
    line = batch.grade_one(str(EXAMPLE), memory_limit=90 * 2**20)
    assert line["limit"] == "memory" and "90" in str(line["error"])
    assert "limit" not in batch.grade_one(str(EXAMPLE / "missing"), memory_limit=0)
