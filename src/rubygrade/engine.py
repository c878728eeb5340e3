"""One grading run: project -> index -> checks -> scorer -> report.

``grade()`` is the library's front door; the CLI is a thin layer over it.
Whatever besides the shipped rubric, brief and rules changed the grade (the
repository's configuration and suppressions, the caller's options) is recorded
on the report (``grade_changes``, ``comparable``; see :mod:`rubygrade.integrity`).
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Callable
from dataclasses import field, replace
from pathlib import Path
from typing import Any, Literal

from rubygrade import __version__, baseline, fingerprint, integrity, suppress, treeutil
from rubygrade.brief import Brief, load_brief
from rubygrade.checks.base import all_collectors, all_rules
from rubygrade.config import Config, key_line, load_config
from rubygrade.context import Context
from rubygrade.dataclass_lite import dataclass
from rubygrade.index import Index
from rubygrade.models import Diagnostic, Evidence, Finding, GradeChange, Report, Severity, ToolInfo
from rubygrade.project import Limits, Project, load_project
from rubygrade.rubric import Rubric, load_rubric
from rubygrade.safetext import safe_name
from rubygrade.scorer import score_with_ceilings
from rubygrade.selection import known_rule_ids
from rubygrade.timings import Timer, recording
from rubygrade.treeutil import gc_paused

#: Rules named (with the findings they dropped) in a ``selection`` grade change.
MAX_NAMED_RULES = 10


@dataclass
class Options:
    """Everything a grading run can be told. Defaults grade with the shipped rubric and brief.

    The defaults honour the repository's own configuration and inline suppressions
    (``use_config``, ``use_suppressions``), as ``rubygrade grade`` does; the report
    records every change they make. A grade that must compare with other repositories'
    grades (a benchmark, a leaderboard) turns both off: :meth:`benchmark`.
    """

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
    # Honour ``rubygrade:disable`` comments in the analysed code.
    use_suppressions: bool = True
    # Who set the options above, as the report's grade changes name it.
    caller: Literal["api", "command_line"] = "api"
    # The Rails app folder, repo-relative, instead of looking at the root and one folder down.
    app_dir: str | None = None
    # Fingerprints of a stored report's findings: those findings are suppressed (--baseline).
    baseline: frozenset[str] | None = None
    baseline_label: str = "baseline"

    @classmethod
    def benchmark(cls, **kwargs: Any) -> Options:
        """Options for grades that rank beside others: no repository config, no suppressions."""
        return replace(cls(**kwargs), use_config=False, use_suppressions=False)


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
    project = load_project(path, options.limits, app_dir=options.app_dir)
    config = options.config or (load_config(project.root) if options.use_config else Config())
    # A configuration read from the repository's own file (here, or by the caller with
    # ``load_config``) is the repository's; any other given one (``--config FILE``, a
    # ``Config`` built in code) is the caller's.
    repository_config = config.source is not None and config.base is None
    config_from: integrity.Source = "repository" if repository_config else options.caller
    lap("discover")
    for source in project.files.values():
        _ = source.tree
    lap("parse")
    index = Index(project)
    lap("index")

    changes: list[GradeChange] = []
    brief = options.brief or load_brief(config.resolve(project.root, config.brief) if config.brief else None)
    rubric = options.rubric or load_rubric(
        config.resolve(project.root, config.rubric) if config.rubric else None)
    changes += _data_changes(project, config, config_from, options, rubric, brief)
    version: str | None = None
    catalogue_notes: list[Diagnostic] = []
    if project.is_rails or options.ruby_llm_version:
        version, catalogue_notes = _resolve_catalogue(project, options.ruby_llm_version)
    context = Context(project, index, brief, version)
    turned_off = options.disabled_rules | frozenset(config.disable)
    failed_off: set[str] = set()  # disabled rules that crashed: what they find is unknown
    lap("rubric and brief")
    if project.is_rails:
        rules, collectors = all_rules(), all_collectors()
        lap("rules: import")
        # Disabled rules run too: their findings are dropped below, counted, and the
        # report says what turning them off changed. One that crashes is no failure of
        # the run (turning a crashing rule off is how a user gets past it).
        for rule in rules:
            if rule.status != "stable":
                continue
            before = len(context.diagnostics)
            with timer.measure(f"rule {rule.id}"):
                context.run_rule(rule)
            if rule.id in turned_off:
                crashed = [d for d in context.diagnostics[before:]
                           if d.kind == "internal" and d.message.startswith(f"{rule.id} ")]
                if crashed:
                    failed_off.add(rule.id)
                    context.diagnostics[before:] = [d for d in context.diagnostics[before:]
                                                    if d not in crashed]
        for collector in collectors:
            context.run_collector(collector)
        lap("evidence collectors")

    raw = sorted(context.findings, key=lambda f: f.sort_key())
    caller_disabled = options.disabled_rules - frozenset(config.disable)
    disabled: dict[str, integrity.Source] = {rule_id: options.caller for rule_id in caller_disabled}
    disabled.update({rule_id: config_from for rule_id in config.disable})
    findings, config_changes = _configure(raw, config, config_from, disabled, project.root,
                                          caller_disabled, options, frozenset(failed_off))
    changes += config_changes
    config_notes: list[Diagnostic] = []
    if options.use_suppressions:
        applied: list[tuple[Finding, suppress.Directive]] = []
        findings = suppress.apply(findings, lambda p: None, _directives_of(project), applied)
        changes += [_suppression_change(finding, directive) for finding, directive in applied]
    else:
        would: list[tuple[Finding, suppress.Directive]] = []
        suppress.apply(findings, lambda p: None, _directives_of(project), would)
        if would:
            config_notes.append(Diagnostic(
                kind="config", message=f"inline suppressions not applied: {len(would)} finding(s) "
                "a rubygrade:disable comment names still count"))
    if not repository_config:
        present = integrity.config_file_present(project.root)
        if present and not _same_file(config.source, project.root / present):
            config_notes.append(Diagnostic(
                kind="config", path=present,
                message="the repository's rubygrade configuration was not applied"))
    findings = fingerprint.assign(
        findings, lambda p: project.files[p].lines if p in project.files else None)
    if options.baseline is not None:
        findings = baseline.apply(findings, options.baseline, options.baseline_label)
        changes += _baseline_changes(findings, options)
    findings = sorted(findings, key=lambda f: f.sort_key())
    evidence = _dedupe_evidence(context)
    graded, ceilings = score_with_ceilings(findings, evidence, rubric, brief, rails=project.is_rails)
    dimensions, total, tier = graded
    # The grade with every finding of every rule and no configuration or suppression:
    # when it differs, something besides the shipped defaults moved the score.
    default = score_with_ceilings(raw, evidence, rubric, brief, rails=project.is_rails).scored
    comparable = (integrity.is_shipped_rubric(rubric) and integrity.is_shipped_brief(brief)
                  and integrity.same_score(default, graded))
    lap("score")

    diagnostics = list(project.diagnostics) + index.diagnostics + catalogue_notes + \
        context.diagnostics + config_notes
    known = known_rule_ids()
    for source in project.files.values():
        if (source.kind != "other" or source.size < 200_000) and "rubygrade:disable" in source.text:
            diagnostics.extend(suppress.check_comment_directives(source, known))
        diagnostics.extend(source.diagnostics)
    if not project.is_rails:
        diagnostics.append(Diagnostic(
            kind="project",
            message="not a Rails app: no config/application.rb, and no Gemfile beside an app/ "
                    "folder, at the root or one folder down"))
    # Where an analysis bounded itself (hostile nesting): said, never silent.
    diagnostics += [Diagnostic(kind="limit", message=m) for m in sorted(limits)]
    changes += _caller_changes(options, project, version)
    report = Report(
        tool=ToolInfo(version=__version__),
        root=safe_name(Path(path).resolve().name),
        app_root=project.app_dir,
        ruby_llm_version=version,
        ruby_llm_locked=project.gem_version("ruby_llm"),
        gems=dict(sorted((project.lockfile.gems if project.lockfile else {}).items())),
        findings=findings,
        evidence=evidence,
        dimensions=dimensions,
        total=total,
        tier=tier,
        ceilings=ceilings,
        diagnostics=sorted(set(diagnostics), key=lambda d: d.sort_key()),
        grade_changes=sorted(set(changes), key=lambda c: c.sort_key()),
        comparable=comparable,
    )
    lap("report")
    return Run(project=project, index=index, context=context, report=report,
               timings=timer.rounded())


def excluded(path: str, patterns: list[str]) -> bool:
    """A repo-relative path under an excluded prefix or matching an excluded glob."""
    return _first_exclude(path, patterns) is not None


def _first_exclude(path: str, patterns: list[str]) -> str | None:
    for pattern in patterns:
        prefix = pattern.rstrip("/")
        if path == prefix or path.startswith(prefix + "/") or fnmatch.fnmatchcase(path, pattern):
            return pattern
    return None


def _configure(findings: list[Finding], config: Config, config_from: integrity.Source,
               disabled: dict[str, integrity.Source], root: Path,
               selected_out: frozenset[str], options: Options, failed: frozenset[str],
               ) -> tuple[list[Finding], list[GradeChange]]:
    """Drop findings of disabled rules and in excluded paths; apply severity overrides.

    Returns the findings kept and one grade change per rule the configuration disables,
    exclude pattern and severity override, each saying how many findings it touched,
    plus one ``selection`` change for the rules the caller left out (``selected_out``:
    ``--select``/``--ignore``, ``Options.disabled_rules``). ``failed`` are disabled rules
    that crashed: their details say so.
    """
    dropped_by_rule: Counter[str] = Counter()
    dropped_by_pattern: Counter[str] = Counter()
    overridden: Counter[str] = Counter()
    result = []
    for finding in findings:
        if finding.rule_id in disabled:
            dropped_by_rule[finding.rule_id] += 1
            continue
        pattern = _first_exclude(finding.path, config.exclude) if config.exclude else None
        if pattern is not None:
            dropped_by_pattern[pattern] += 1
            continue
        override: Severity | None = config.severity.get(finding.rule_id)
        if override is not None and override != finding.severity:
            overridden[finding.rule_id] += 1
            finding = finding.model_copy(update={"severity": override})
        result.append(finding)

    def where(key: str, source: integrity.Source) -> tuple[str | None, int | None]:
        if source != "repository":
            return None, None
        return config.source, key_line(root, config, key)

    changes = []
    if selected_out:
        changes.append(_selection_change(selected_out, dropped_by_rule, options, failed))
    for rule_id, source in sorted(disabled.items()):
        if rule_id in selected_out:
            continue
        path, line = where("disable", source)
        dropped = ("it failed, so what it finds is unknown" if rule_id in failed
                   else f"{dropped_by_rule[rule_id]} finding(s) dropped")
        changes.append(GradeChange(
            kind="disabled_rules", source=source, rule_id=rule_id, path=path, line=line,
            detail=f"{rule_id} disabled: {dropped}"))
    path, line = where("exclude", config_from)
    changes += [GradeChange(kind="exclude", source=config_from, path=path, line=line,
                            detail=f"exclude {pattern!r}: {dropped_by_pattern[pattern]} finding(s) "
                                   "dropped")
                for pattern in config.exclude]
    path, line = where("severity", config_from)
    changes += [GradeChange(kind="severity", source=config_from, rule_id=rule_id, path=path, line=line,
                            detail=f"{rule_id} severity set to {severity.value}: {overridden[rule_id]} "
                                   "finding(s) changed (severity does not move the score)")
                for rule_id, severity in sorted(config.severity.items())]
    return result, changes


def _same_file(named: str | None, file: Path) -> bool:
    """``named`` (a configuration's source) is ``file`` (``--config`` naming the repository's own)."""
    try:
        return named is not None and Path(named).resolve() == file.resolve()
    except OSError:
        return False


def _selection_change(rules: frozenset[str], dropped: Counter[str], options: Options,
                      failed: frozenset[str]) -> GradeChange:
    """One change for every rule the caller did not run, naming those that dropped findings."""
    flag = "--select/--ignore" if options.caller == "command_line" else "Options.disabled_rules"
    hit = sorted((rule_id for rule_id in rules if dropped[rule_id]), key=lambda r: (-dropped[r], r))
    total = sum(dropped[rule_id] for rule_id in rules)
    detail = f"{flag}: {len(rules)} rule(s) not run, {total} finding(s) dropped"
    if hit:
        shown = ", ".join(f"{rule_id} {dropped[rule_id]}" for rule_id in hit[:MAX_NAMED_RULES])
        more = f" and {len(hit) - MAX_NAMED_RULES} more" if len(hit) > MAX_NAMED_RULES else ""
        detail += f" ({shown}{more})"
    if rules & failed:
        detail += f"; {', '.join(sorted(rules & failed))} failed, so what they find is unknown"
    only = next(iter(rules)) if len(rules) == 1 else None
    return GradeChange(kind="selection", source=options.caller, rule_id=only, detail=detail)


def _baseline_changes(findings: list[Finding], options: Options) -> list[GradeChange]:
    """The findings a baseline suppressed, as one change (none when it matched nothing)."""
    matched = sum(1 for f in findings if f.in_baseline)
    if not matched:
        return []
    flag = "--baseline" if options.caller == "command_line" else "Options.baseline"
    return [GradeChange(kind="baseline", source=options.caller,
                        detail=f"{flag} {options.baseline_label}: {matched} finding(s) already in "
                               "it suppressed")]


def _directives_of(project: Project) -> Callable[[str], dict[int, list[suppress.Directive]]]:
    def directives_of(path: str) -> dict[int, list[suppress.Directive]]:
        source = project.files.get(path)
        return suppress.comment_directives(source) if source is not None else {}

    return directives_of


def _suppression_change(finding: Finding, directive: suppress.Directive) -> GradeChange:
    reason = directive.reason or "no reason given"
    return GradeChange(kind="suppression", source="repository", rule_id=finding.rule_id,
                       path=finding.path, line=directive.line,
                       detail=f"{finding.rule_id} at {finding.path}:{finding.line} suppressed inline: "
                              f"{reason}")


def _data_changes(project: Project, config: Config, config_from: integrity.Source, options: Options,
                  rubric: Rubric, brief: Brief) -> list[GradeChange]:
    """The rubric and brief, when they are not the shipped ones, and who chose them."""
    changes = []
    kinds: tuple[tuple[Literal["rubric", "brief"], str, bool, bool, str | None], ...] = (
        ("rubric", rubric.name, integrity.is_shipped_rubric(rubric), options.rubric is not None,
         config.rubric),
        ("brief", brief.name, integrity.is_shipped_brief(brief), options.brief is not None,
         config.brief))
    for kind, name, shipped, given, named in kinds:
        if shipped:
            continue
        if given:
            flag = f"--{kind}" if options.caller == "command_line" else f"Options.{kind}"
            changes.append(GradeChange(kind=kind, source=options.caller,
                                       detail=f"{flag}: the {kind} {name!r} instead of the shipped one"))
        elif named is not None:
            repo = config_from == "repository"
            changes.append(GradeChange(
                kind=kind, source=config_from, path=config.source if repo else None,
                line=key_line(project.root, config, kind) if repo else None,
                detail=f"the {kind} {name!r} from {named} instead of the shipped one"))
    return changes


def _caller_changes(options: Options, project: Project, version: str | None) -> list[GradeChange]:
    changes = []
    if options.ruby_llm_version:
        flag = "--ruby-llm-version" if options.caller == "command_line" else "Options.ruby_llm_version"
        locked = project.gem_version("ruby_llm") or "not locked"
        changes.append(GradeChange(
            kind="catalogue_version", source=options.caller,
            detail=f"{flag} {options.ruby_llm_version}: checked against catalogue {version or 'none'} "
                   f"(Gemfile.lock: {locked})"))
    defaults = Limits()
    if options.limits != defaults:
        given = ", ".join(f"{name} {getattr(options.limits, name)} (default {getattr(defaults, name)})"
                          for name in ("max_file_bytes", "max_files", "code_ceiling_factor")
                          if getattr(options.limits, name) != getattr(defaults, name))
        changes.append(GradeChange(kind="limits", source=options.caller, detail=given))
    return changes


def _dedupe_evidence(context: Context) -> list[Evidence]:
    seen: dict[tuple[str, str | None, int | None, str], Evidence] = {}
    for item in context.evidence_items:
        seen.setdefault((item.kind, item.path, item.line, item.message), item)
    return sorted(seen.values(), key=lambda e: e.sort_key())


def grade(path: str | Path, options: Options | None = None) -> Report:
    """Grade the Rails repository at ``path`` and return its report."""
    return analyse(path, options).report
