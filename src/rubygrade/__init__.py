"""rubygrade: grade AI-generated Rails + RubyLLM repositories without running them.

>>> import rubygrade
>>> report = rubygrade.grade("examples/chatapp")  # doctest: +SKIP
>>> report.tier  # doctest: +SKIP
'B'

The names below are imported on first use (PEP 562), so ``rubygrade --version`` and the
CLI's argument parsing do not pay for the grading machinery.
"""

from __future__ import annotations

import time as _time
from typing import TYPE_CHECKING, Any

from rubygrade import timings as _timings

_timings.IMPORT_STARTED = _time.perf_counter()

__version__ = "0.2.0"

if TYPE_CHECKING:
    from rubygrade.engine import Options, analyse, grade
    from rubygrade.models import Dimension, DimensionScore, Evidence, Finding, Report, Severity

_LAZY = {
    "Options": "rubygrade.engine", "analyse": "rubygrade.engine", "grade": "rubygrade.engine",
    "Dimension": "rubygrade.models", "DimensionScore": "rubygrade.models",
    "Evidence": "rubygrade.models", "Finding": "rubygrade.models", "Report": "rubygrade.models",
    "Severity": "rubygrade.models",
}

__all__ = [
    "Dimension", "DimensionScore", "Evidence", "Finding", "Options", "Report", "Severity",
    "__version__", "analyse", "grade",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rubygrade' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
