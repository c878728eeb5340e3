"""Where a grading run spends its time: phases, each shared analysis, each rule.

A run records its timings in a :class:`Timer` (``Run.timings``); they never go
into the report, which must stay byte-identical between runs. ``rubygrade grade
--timings`` prints them on stderr. Times are exclusive: an analysis that a rule
triggers is counted under the analysis, not under the rule, and an analysis
built while another is computed is subtracted from the outer one, so the lines
add up to the whole run.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from typing import Any, TextIO, TypeVar

_T = TypeVar("_T")

#: ``perf_counter`` when the ``rubygrade`` package started importing (set by its ``__init__``).
IMPORT_STARTED: float | None = None


class Timer:
    """Exclusive wall time per named section; sections may nest."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._stack: list[list[float]] = []  # [start, time spent in nested sections]
        self._lap_start = time.perf_counter()
        self._measured_since_lap = 0.0  # top-level sections since the last lap

    def lap(self, name: str) -> None:
        """Record the time since the previous lap (or since the timer began) under ``name``,
        less the sections measured meanwhile (they have their own lines)."""
        now = time.perf_counter()
        self.totals[name] = self.totals.get(name, 0.0) + now - self._lap_start - \
            self._measured_since_lap
        self._lap_start, self._measured_since_lap = now, 0.0

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        frame = [time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - frame[0]
            self._stack.pop()
            self.totals[name] = self.totals.get(name, 0.0) + elapsed - frame[1]
            if self._stack:
                self._stack[-1][1] += elapsed
            else:
                self._measured_since_lap += elapsed

    def add(self, name: str, seconds: float) -> None:
        """Record time measured elsewhere (not nested in the open section)."""
        self.totals[name] = self.totals.get(name, 0.0) + seconds

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.totals.items()}


_current: ContextVar[Timer | None] = ContextVar("rubygrade_timer", default=None)


@contextmanager
def recording(timer: Timer) -> Iterator[Timer]:
    """Make ``timer`` the one that timed properties of this run report to."""
    token = _current.set(timer)
    try:
        yield timer
    finally:
        _current.reset(token)


@contextmanager
def section(name: str) -> Iterator[None]:
    """Time a section in the current run's timer (nothing when no run is recording)."""
    timer = _current.get()
    if timer is None:
        yield
        return
    with timer.measure(name):
        yield


class timed_cached_property(cached_property[_T]):  # noqa: N801 - used like cached_property
    """``functools.cached_property`` whose first computation is timed as ``prefix + name``.

    The cached value lives in the instance's ``__dict__``, so later reads never come back
    here: the timing costs one context switch per analysis per run.
    """

    def __init__(self, func: Callable[[Any], _T], prefix: str = "analysis ",
                 name: str | None = None) -> None:
        super().__init__(func)
        self.prefix = prefix
        self.name = name  # the timing line's name when it is not the attribute's

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        if self.attrname is not None and self.attrname in instance.__dict__:
            return instance.__dict__[self.attrname]
        with section(self.prefix + (self.name or self.attrname or self.func.__name__)):
            return super().__get__(instance, owner)


def analysis(func: Callable[[Any], _T]) -> timed_cached_property[_T]:
    """Decorator: a shared analysis, computed once per run and timed by name."""
    return timed_cached_property(func)


def process_age() -> float | None:
    """Seconds since this process started (Linux ``/proc``; 10 ms resolution), else None."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(time.clock_gettime(time.CLOCK_BOOTTIME) - started, 0.0)
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def startup() -> dict[str, float]:
    """Interpreter start-up and rubygrade's imports so far, for the CLI's breakdown."""
    out: dict[str, float] = {}
    now = time.perf_counter()
    age = process_age()
    if IMPORT_STARTED is not None:
        imports = now - IMPORT_STARTED
        if age is not None and age > imports:
            out["startup: interpreter"] = age - imports
        out["startup: imports"] = imports
    elif age is not None:
        out["startup"] = age
    return out


def format_table(timings: dict[str, float], stream: TextIO | None = None) -> None:
    """Print timings as an aligned table with a total (on stderr by default)."""
    out = stream or sys.stderr
    width = max((len(k) for k in timings), default=5)
    total = sum(timings.values())
    out.write("rubygrade timings (seconds, exclusive)\n")
    for name, seconds in timings.items():
        share = 100 * seconds / total if total else 0.0
        out.write(f"  {name.ljust(width)}  {seconds:8.4f}  {share:5.1f}%\n")
    out.write(f"  {'total'.ljust(width)}  {total:8.4f}\n")
    out.flush()
