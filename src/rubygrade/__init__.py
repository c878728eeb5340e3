"""rubygrade: grade AI-generated Rails + RubyLLM repositories without running them.

>>> import rubygrade
>>> report = rubygrade.grade("examples/chatapp")  # doctest: +SKIP
>>> report.tier  # doctest: +SKIP
'B'
"""

from __future__ import annotations

__version__ = "0.1.0"

from rubygrade.engine import Options, analyse, grade  # noqa: E402
from rubygrade.models import (  # noqa: E402
    Dimension,
    DimensionScore,
    Evidence,
    Finding,
    Report,
    Severity,
)

__all__ = [
    "Dimension", "DimensionScore", "Evidence", "Finding", "Options", "Report", "Severity",
    "__version__", "analyse", "grade",
]
