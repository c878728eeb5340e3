"""One grading run: project -> index -> checks -> scorer -> report.

``grade()`` is the library's front door; the CLI is a thin layer over it.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from rubygrade import __version__, suppress, treeutil
from rubygrade.brief import Brief, load_brief
from rubygrade.checks.base import all_collectors, all_rules
from rubygrade.config import Config, load_config
from rubygrade.context import Context
from rubygrade.index import Index
from rubygrade.models import Diagnostic, Evidence, Finding, Report, Severity, ToolInfo
from rubygrade.project import Limits, Project, load_project
from rubygrade.rubric import Rubric, load_rubric
from rubygrade.scorer import score
from rubygrade.timings import Timer, recording
from rubygrade.treeutil import gc_paused


@dataclass
class Options:
    """Everything a grading run can be told. Defaults grade with the shipped rubric and brief."""

    rubric: Rubric | None = None
    brief: Brief | None = None
    ruby_llm_version: str | None = None
    limits: Limits = field(default_factory=Limits)
    disabled_rules: frozenset[str] = frozenset()
    # Kept for callers of the old API: every run records ``Run.timings`` (cheap), and the
    # report never holds them. ``rubygrade grade --timings`` prints them on stderr.
    timings: bool = False
    # Read ``[tool.rubygrade]`` / ``.rubygrade.toml`` from the analysed repository (data only).
    use_config: bool = True
    config: Config | None = None  # given explicitly: used instead of the repository's file


@dataclass
class Run:
    """The intermediate products of a run, for callers that want more than the report."""

    project: Project
    index: Index
    context: Context
    report: Report
    timings: dict[str, float]


def _resolve_catalogue(project: Project, override: str | None) -> tuple[str | None, list[Diagnostic]]:
    from rubygrade.catalogue.store import resolve_version

    locked = project.gem_version("ruby_llm")
    requirement = None
    if project.gemfile is not None:
        declaration = project.gemfile.find("ruby_llm")
        if declaration is not None:
            requirement = ", ".join(declaration.requirements) or None
        elif locked is None:
            return (None, []) if override is None else (resolve_version(None, None, override).version, [])
    resolution = resolve_version(locked, requirement, override)
    notes = []
    if resolution.note:
        notes.append(Diagnostic(kind="catalogue", message=resolution.note))
    return resolution.version, notes


def analyse(path: str | Path, options: Options | None = None) -> Run:
    """Read, index and check a repository; return every intermediate product.

    ``Run.timings`` holds the exclusive wall time of each phase, shared analysis and rule
    (see :mod:`rubygrade.timings`); the report never does, so it stays deterministic.
    The run builds many long-lived objects (trees, facts, analyses): full GC passes
    rescanning them cost a third of the run on large apps (docs/performance.md), so the
    cyclic collector is paused throughout; a run leaves no cycles for it to find.
    """
    timer = Timer()
    with recording(timer), gc_paused(), treeutil.collecting_limits() as limits:
        return _analyse(path, options or Options(), timer, limits)


def _analyse(path: str | Path, options: Options, timer: Timer, limits: set[str]) -> Run:
    lap = timer.lap
    project = load_project(path, options.limits)
    config = options.config or (load_config(project.root) if options.use_config else Config())
    lap("discover")
    for source in project.files.values():
        _ = source.tree
    lap("parse")
    index = Index(project)
    lap("index")

    brief = options.brief or load_brief(config.resolve(project.root, config.brief) if config.brief else None)
    rubric = options.rubric or load_rubric(
        config.resolve(project.root, config.rubric) if config.rubric else None)
    disabled = options.disabled_rules | frozenset(config.disable)
    version: str | None = None
    catalogue_notes: list[Diagnostic] = []
    if project.is_rails or options.ruby_llm_version:
        version, catalogue_notes = _resolve_catalogue(project, options.ruby_llm_version)
    context = Context(project, index, brief, version)
    lap("rubric and brief")
    if project.is_rails:
        rules, collectors = all_rules(), all_collectors()
        lap("rules: import")
        for rule in rules:
            if rule.id not in disabled and rule.status == "stable":
                with timer.measure(f"rule {rule.id}"):
                    context.run_rule(rule)
        for collector in collectors:
            context.run_collector(collector)
        lap("evidence collectors")

    findings = _configure(context.findings, config)
    findings = suppress.apply(
        findings, lambda p: project.files[p].lines if p in project.files else None)
    findings = sorted(findings, key=lambda f: f.sort_key())
    evidence = _dedupe_evidence(context)
    dimensions, total, tier = score(findings, evidence, rubric, brief, rails=project.is_rails)
    lap("score")

    diagnostics = list(project.diagnostics) + index.diagnostics + catalogue_notes + \
        context.diagnostics
    for source in project.files.values():
        diagnostics.extend(source.diagnostics)
    if not project.is_rails:
        diagnostics.append(Diagnostic(
            kind="project",
            message="not a Rails app: no config/application.rb, and no Gemfile beside an app/ "
                    "folder, at the root or one folder down"))
    # Where an analysis bounded itself (hostile nesting): said, never silent.
    diagnostics += [Diagnostic(kind="limit", message=m) for m in sorted(limits)]
    report = Report(
        tool=ToolInfo(version=__version__),
        root=Path(path).resolve().name,
        app_root=project.app_dir,
        ruby_llm_version=version,
        ruby_llm_locked=project.gem_version("ruby_llm"),
        gems=dict(sorted((project.lockfile.gems if project.lockfile else {}).items())),
        findings=findings,
        evidence=evidence,
        dimensions=dimensions,
        total=total,
        tier=tier,
        diagnostics=sorted(set(diagnostics), key=lambda d: d.sort_key()),
    )
    lap("report")
    return Run(project=project, index=index, context=context, report=report,
               timings=timer.rounded())


def excluded(path: str, patterns: list[str]) -> bool:
    """A repo-relative path under an excluded prefix or matching an excluded glob."""
    for pattern in patterns:
        prefix = pattern.rstrip("/")
        if path == prefix or path.startswith(prefix + "/") or fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def _configure(findings: list[Finding], config: Config) -> list[Finding]:
    """Drop findings in excluded paths; apply severity overrides."""
    result = []
    for finding in findings:
        if config.exclude and excluded(finding.path, config.exclude):
            continue
        override: Severity | None = config.severity.get(finding.rule_id)
        if override is not None and override != finding.severity:
            finding = finding.model_copy(update={"severity": override})
        result.append(finding)
    return result


def _dedupe_evidence(context: Context) -> list[Evidence]:
    seen: dict[tuple[str, str | None, int | None, str], Evidence] = {}
    for item in context.evidence_items:
        seen.setdefault((item.kind, item.path, item.line, item.message), item)
    return sorted(seen.values(), key=lambda e: e.sort_key())


def grade(path: str | Path, options: Options | None = None) -> Report:
    """Grade the Rails repository at ``path`` and return its report."""
    return analyse(path, options).report
