"""``rubygrade check FILES``: the pre-commit hook's logic, which must never pass a bad commit.

For each given file the Rails app is found by walking up from the file to the
folder that holds ``config/application.rb`` (or a ``Gemfile`` beside ``app/``),
however deep it sits below the repository root. Each app is graded once, with
the repository root as the project root (so paths are the ones git staged),
and only findings in the given files are kept. A given file that no app
analysed (outside every app, in a skipped folder such as ``log/``, not listed)
is still checked by the committed-secret rules (RG803 key literals, RG110
``.env`` and key files), and named as skipped for everything else. A file that
does not exist is a usage error: the hook was given a wrong path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rubygrade.models import Diagnostic, Finding
from rubygrade.project import ProjectError, SourceFile, app_root_of
from rubygrade.safetext import safe_name

#: The rules that still see a file no Rails app analysed: committed keys and key files.
SECRET_RULES = ("RG803", "RG110")


class CheckError(ValueError):
    """A given file cannot be checked (it does not exist, it is a folder, outside the root)."""


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)  # app folders graded ("" = the root)


def repo_relative(root: Path, name: str) -> str:
    """A file argument as a path relative to ``root`` (absolute, ``./x`` and ``x`` all work)."""
    path = Path(name)
    resolved_root = root.resolve()
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(resolved_root)
        except ValueError:
            raise CheckError(f"{name}: outside the repository root {root}") from None
    elif root != Path("."):
        candidate = (root / path)
        if not candidate.exists() and Path(name).exists():  # given relative to the cwd
            try:
                path = Path(name).resolve().relative_to(resolved_root)
            except ValueError:
                raise CheckError(f"{name}: outside the repository root {root}") from None
    return path.as_posix().removeprefix("./")


def _group_by_app(root: Path, files: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    apps: dict[str, list[str]] = {}
    loose: list[str] = []
    resolved_root = root.resolve()
    for rel in files:
        app = app_root_of(root / rel, root)
        if app is None:
            loose.append(rel)
            continue
        app_rel = app.relative_to(resolved_root).as_posix()
        apps.setdefault("" if app_rel == "." else app_rel, []).append(rel)
    return apps, loose


def check(root: Path, names: list[str], options: object) -> CheckResult:
    """Grade the apps the files belong to; keep the findings in those files.

    ``options`` is an ``engine.Options`` (its ``app_dir`` is set per app here).
    """
    from dataclasses import replace

    from rubygrade.engine import Options, analyse

    assert isinstance(options, Options)
    result = CheckResult()
    files: list[str] = []
    for name in names:
        rel = repo_relative(root, name)
        target = root / rel
        if not target.exists() and not target.is_symlink():
            raise CheckError(f"{name}: no such file")
        if target.is_dir():
            raise CheckError(f"{name}: is a folder; give files")
        if rel not in files:
            files.append(rel)
    apps, loose = _group_by_app(root, files)
    unanalysed: list[str] = []
    for app_dir, group in sorted(apps.items()):
        try:
            run = analyse(root, replace(options, app_dir=app_dir))
        except ProjectError as exc:
            raise CheckError(str(exc)) from None
        result.apps.append(app_dir)
        wanted = {safe_name(f) for f in group}
        result.findings += [f for f in run.report.findings if f.path in wanted and not f.suppressed]
        result.diagnostics += [d for d in run.report.diagnostics
                               if d.path in wanted or d.kind == "internal"]
        for rel in group:
            source = run.project.files.get(safe_name(rel))
            if source is None:
                unanalysed.append(rel)
                result.skipped.append((rel, "not analysed (ignored or in a skipped folder such as "
                                            "log/ or tmp/); checked for committed secrets only"))
            elif source.size > options.limits.max_file_bytes and source.kind == "other":
                # App code over the limit is parsed up to the hard ceiling; past it, RG113.
                result.skipped.append((rel, "over the size limit; not parsed"))
    for rel in loose:
        result.skipped.append((rel, "not in a Rails app; checked for committed secrets only"))
    secrets, crashed = _secret_scan(root, unanalysed + loose, options)
    result.findings += secrets
    result.diagnostics += crashed
    result.findings.sort(key=lambda f: f.sort_key())
    return result


def _secret_scan(root: Path, files: list[str], options: object) -> tuple[list[Finding], list[Diagnostic]]:
    """The committed-secret rules over files no app analysed (a staged ``.env``, a log)."""
    if not files:
        return [], []
    from rubygrade import baseline, fingerprint, suppress
    from rubygrade.brief import load_brief
    from rubygrade.context import Context
    from rubygrade.engine import Options
    from rubygrade.index import Index
    from rubygrade.project import Project
    from rubygrade.selection import find_rule
    from rubygrade.sources import classify

    assert isinstance(options, Options)
    sources = {}
    for rel in files:
        path = root / rel
        try:
            size = path.stat().st_size
        except OSError:
            continue
        name = safe_name(rel)
        sources[name] = SourceFile(path=name, abspath=path, size=size, kind=classify(name))
    project = Project(root=root, app_dir="", files=sources)
    context = Context(project, Index(project), options.brief or load_brief(None), None)
    disabled = options.disabled_rules | frozenset(options.config.disable if options.config else ())
    for rule_id in SECRET_RULES:
        rule = find_rule(rule_id)
        if rule is not None and rule_id not in disabled:
            context.run_rule(rule)
    found = list(context.findings)
    if options.use_suppressions:  # only real comments suppress, as in a grading run
        found = suppress.apply(found, lambda p: None, lambda p: suppress.comment_directives(
            project.files[p]) if p in project.files else {})
    found = fingerprint.assign(found, lambda p: project.files[p].lines if p in project.files else None)
    if options.baseline is not None:
        found = baseline.apply(found, options.baseline, options.baseline_label)
    return [f for f in found if not f.suppressed], list(context.diagnostics)
