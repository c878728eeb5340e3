"""What a rule sees of a run: the facts, the shared analyses, and where it reports.

A rule calls :meth:`Context.report` for a finding and :meth:`Context.evidence`
for good practice; the engine fills in snippets and runs each rule isolated, so
a rule that crashes loses its own findings, never the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis import Analyses, Facts
from rubygrade.models import Confidence, Diagnostic, Dimension, Evidence, Finding, Severity

if TYPE_CHECKING:
    from rubygrade.brief import Brief
    from rubygrade.catalogue.model import Catalogue
    from rubygrade.checks.base import EvidenceCollector, Rule
    from rubygrade.index import Index
    from rubygrade.project import Project


class Context:
    """What a rule sees: the project, the index, the catalogue, the brief, the shared
    analyses; where it reports."""

    def __init__(
        self,
        project: Project,
        index: Index,
        brief: Brief,
        catalogue_version: str | None,
    ) -> None:
        self.facts = Facts(project, index, brief, catalogue_version)
        self.analyses = Analyses(self.facts)
        self.project = project
        self.index = index
        self.brief = brief
        self.catalogue_version = catalogue_version
        self.findings: list[Finding] = []
        self.evidence_items: list[Evidence] = []
        self._rule: type[Rule] | None = None

    @property
    def catalogue(self) -> Catalogue | None:
        return self.facts.catalogue

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.facts.diagnostics

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
    ) -> None:
        rule = self._rule
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
        self.facts.diagnose(kind, message, path, line)

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
