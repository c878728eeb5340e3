"""The rule machinery: a rule is a small class with a stable ID and a docstring that is its doc.

Subclassing ``Rule`` registers it (as RuboCop's ``Base.inherited`` does), so
adding a rule is adding one module under ``rubygrade/checks/<dimension>/``.
A rule's docstring follows a fixed shape that the docs generator and a
meta-test read::

    One-line summary.

    ## What it does
    ## Why is this bad?
    ## Example
    ```ruby app/services/chat_service.rb
    ...
    ```
    Use instead:
    ```ruby app/services/chat_service.rb
    ...
    ```

The examples are run by the tests (tests/rules/test_doc_examples.py), so each
fence's info string says where its block goes in a small Rails app:

- ```` ```<language> <path> ````: the block is the whole text of the app file
  ``<path>`` (a skeleton file of that name is replaced);
- ```` ```<language> <path> absent ````: the app has no ``<path>`` (a path ending
  in ``/`` is a folder); the block is a note for the reader;
- ```` ```<language> ```` alone: shown, not part of the app.

A line ``⋮ ×N`` repeats the line above N more times. The "Example" app must get
the rule's finding; "Use instead" is applied on top of it, so it shows only what
changes, and must not. Each section needs at least one block with a path.

``EvidenceCollector`` subclasses record good practice (no ID, never a finding).
Rules see the run through :class:`rubygrade.context.Context` and ask the shared
analyses (``ctx.analyses``, :mod:`rubygrade.analysis`) for facts; a rule module
never imports another rule module.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from rubygrade.dataclass_lite import dataclass
from rubygrade.models import Confidence, Dimension, Severity

if TYPE_CHECKING:
    from rubygrade.context import Context


_RULES: dict[str, type[Rule]] = {}
_COLLECTORS: list[type[EvidenceCollector]] = []


@dataclass(frozen=True)
class RuleMeta:
    """What documentation and renderers need of a rule, without the rule's code."""

    id: str
    name: str
    dimension: Dimension
    severity: Severity
    confidence: Confidence
    status: Literal["stable", "preview"]
    doc: str


class Rule:
    """Base class of every rule. Set the class attributes; implement ``check``."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""  # kebab-case, names the bad pattern
    dimension: ClassVar[Dimension]
    severity: ClassVar[Severity] = Severity.WARNING
    confidence: ClassVar[Confidence] = Confidence.HIGH
    status: ClassVar[Literal["stable", "preview"]] = "stable"
    # App-relative path prefixes the rule looks at (documentation and ``check`` filtering).
    scope: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.id:
            return
        if cls.id in _RULES and _RULES[cls.id] is not cls:
            raise RuntimeError(f"duplicate rule id {cls.id}: {_RULES[cls.id].__name__}, {cls.__name__}")
        _RULES[cls.id] = cls

    def check(self, ctx: Context) -> None:
        raise NotImplementedError

    @classmethod
    def meta(cls) -> RuleMeta:
        return RuleMeta(cls.id, cls.name, cls.dimension, cls.severity, cls.confidence,
                        cls.status, cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


class EvidenceCollector:
    """Records good practice the rubric awards (``ctx.evidence``); emits no findings."""

    dimension: ClassVar[Dimension]
    #: evidence kind -> how it is detected, in words (docs/scoring.md is generated from it)
    detects: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls not in _COLLECTORS and "collect" in cls.__dict__:
            _COLLECTORS.append(cls)

    def collect(self, ctx: Context) -> None:
        raise NotImplementedError


def load_all() -> None:
    """Import every module under ``rubygrade.checks`` so their rules register."""
    import rubygrade.checks as package

    for info in sorted(pkgutil.walk_packages(package.__path__, package.__name__ + "."),
                       key=lambda i: i.name):
        importlib.import_module(info.name)


def all_rules() -> list[type[Rule]]:
    load_all()
    return [_RULES[k] for k in sorted(_RULES)]


def all_collectors() -> list[type[EvidenceCollector]]:
    load_all()
    return sorted(_COLLECTORS, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def rule_by_id(rule_id: str) -> type[Rule] | None:
    load_all()
    return _RULES.get(rule_id)
