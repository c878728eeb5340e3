"""The rule machinery: a rule is a small class with a stable ID and a docstring that is its doc.

Subclassing ``Rule`` registers it (as RuboCop's ``Base.inherited`` does), so
adding a rule is adding one module under ``rubygrade/checks/<dimension>/``.
A rule's docstring follows a fixed shape that the docs generator and a
meta-test read::

    One-line summary.

    ## What it does
    ## Why is this bad?
    ## Example
    ```ruby
    ...
    ```
    Use instead:
    ```ruby
    ...
    ```

``EvidenceCollector`` subclasses record good practice (no ID, never a finding).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.models import Confidence, Diagnostic, Dimension, Evidence, Finding, Severity

if TYPE_CHECKING:
    from rubygrade.brief import Brief
    from rubygrade.catalogue.model import Catalogue
    from rubygrade.index import Index
    from rubygrade.project import Project

T = TypeVar("T")

_RULES: dict[str, type[Rule]] = {}
_COLLECTORS: list[type[EvidenceCollector]] = []


class Rule:
    """Base class of every rule. Set the class attributes; implement ``check``."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""  # kebab-case, names the bad pattern
    dimension: ClassVar[Dimension]
    severity: ClassVar[Severity] = Severity.WARNING
    confidence: ClassVar[Confidence] = Confidence.HIGH
    since: ClassVar[str] = "0.1.0"
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
    def summary(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


class EvidenceCollector:
    """Records good practice the rubric awards (``ctx.evidence``); emits no findings."""

    dimension: ClassVar[Dimension]

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


class Context:
    """What a rule sees: the project, the index, the catalogue, the brief; where it reports."""

    def __init__(
        self,
        project: Project,
        index: Index,
        brief: Brief,
        catalogue_version: str | None,
    ) -> None:
        self.project = project
        self.index = index
        self.brief = brief
        self.catalogue_version = catalogue_version
        self.findings: list[Finding] = []
        self.evidence_items: list[Evidence] = []
        self.diagnostics: list[Diagnostic] = []
        self._shared: dict[str, Any] = {}
        self._rule: type[Rule] | None = None

    @cached_property
    def catalogue(self) -> Catalogue | None:
        if self.catalogue_version is None:
            return None
        from rubygrade.catalogue.store import load_catalogue

        return load_catalogue(self.catalogue_version)

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """An analysis computed once per run and shared by the rules that need it."""
        if key not in self._shared:
            self._shared[key] = factory()
        return self._shared[key]  # type: ignore[no-any-return]

    # -- reporting ------------------------------------------------------------------
    def report(
        self,
        path: str,
        line: int,
        message: str,
        *,
        fix: str = "",
        column: int = 1,
        end_line: int | None = None,
        confidence: Confidence | None = None,
        severity: Severity | None = None,
        data: dict[str, str] | None = None,
        rule: type[Rule] | None = None,
    ) -> None:
        rule = rule or self._rule
        if rule is None:
            raise RuntimeError("report() called outside a rule")
        source = self.project.files.get(path)
        # Oversized files are listed but never read (project.Limits): no snippet from them.
        readable = source is not None and (source.kind != "other" or source.size < 200_000)
        snippet = source.snippet(line) if source is not None and readable else ""
        self.findings.append(Finding(
            rule_id=rule.id, dimension=rule.dimension,
            severity=severity or rule.severity, message=message, path=path, line=max(line, 1),
            column=max(column, 1), end_line=end_line, snippet=snippet, fix=fix,
            confidence=confidence or rule.confidence, data=data or {}))

    def report_node(self, path: str, node: Node, message: str, **kwargs: Any) -> None:
        self.report(path, treeutil.line_of(node), message, column=treeutil.column_of(node),
                    end_line=treeutil.end_line_of(node), **kwargs)

    def evidence(
        self,
        kind: str,
        dimension: Dimension,
        message: str,
        path: str | None = None,
        line: int | None = None,
        data: dict[str, str] | None = None,
    ) -> None:
        self.evidence_items.append(Evidence(kind=kind, dimension=dimension, message=message,
                                            path=path, line=line, data=data or {}))

    def diagnostic(self, kind: str, message: str, path: str | None = None,
                   line: int | None = None) -> None:
        self.diagnostics.append(Diagnostic(kind=kind, message=message, path=path,  # type: ignore[arg-type]
                                           line=line))

    def run_rule(self, rule_cls: type[Rule]) -> None:
        """Run one rule. A rule that crashes on odd input loses its own findings, not the run."""
        self._rule = rule_cls
        kept = len(self.findings)
        try:
            rule_cls().check(self)
        except RecursionError:
            del self.findings[kept:]
            self.diagnostic("internal", f"{rule_cls.id} skipped: input nested too deeply")
        except Exception as exc:  # noqa: BLE001 - isolate one rule's bug from the report
            del self.findings[kept:]
            self.diagnostic("internal", f"{rule_cls.id} failed and was skipped: "
                            f"{type(exc).__name__}: {exc}")
        finally:
            self._rule = None

    def run_collector(self, collector_cls: type[EvidenceCollector]) -> None:
        kept = len(self.evidence_items)
        try:
            collector_cls().collect(self)
        except Exception as exc:  # noqa: BLE001
            del self.evidence_items[kept:]
            self.diagnostic("internal", f"{collector_cls.__name__} failed and was skipped: "
                            f"{type(exc).__name__}: {exc}")
