"""Inline expectations in fixture apps, in the spirit of Semgrep's ``ruleid:``/``ok:``.

Every finding rubygrade reports on a fixture app must be owned by an annotation, and
every ``expect`` annotation must meet a finding. A comment line names the rules of the
next code line (blank and annotation-only lines in between are skipped)::

    # expect: RG201           the next code line carries an RG201 finding
    # ok: RG201               it must not (a near miss the rule must keep ignoring)
    # todo-ok: RG201          a known false positive: tolerated, listed in the test summary,
                              and a failure once it is no longer reported ("fixed")
    # todo-expect: RG201      a known miss: a failure once it is reported ("found")

Each kind has a ``-file`` form (``# expect-file: RG101``, anywhere in the file) that
speaks for the whole file: the findings of app-wide rules sit on line 1 of an anchor
file. Several IDs may be listed, separated by commas, and several kinds share one
comment when separated by semicolons (``# expect: RG401, RG404; ok: RG703``). The
comment may start with
``#`` (Ruby, YAML, Dockerfile, .env), ``//`` (JavaScript), ``<%#`` (ERB) or ``<!--``
(Markdown, HTML).

An annotation owns every finding of its rule at its place. A finding no annotation
owns is "noisy", and so is one on a place an ``ok`` annotation covers; an ``expect``
no finding meets is "missing".

A fixture app holding a file ``BASE`` whose text is ``skeleton`` is laid over the clean
app in ``tests/fixtures/skeleton``: the grade runs on the skeleton with the app's files
written on top, so a fixture holds only the files its cases need (and a ``.absent``
file lists skeleton paths to remove).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rubygrade.engine import grade
from rubygrade.models import Finding, Report

FIXTURES = Path(__file__).parent / "fixtures"
_IDS = r"RG\d{3}(?:\s*,\s*RG\d{3})*"
_KIND = r"(?:todo-expect|todo-ok|expect|ok)(?:-file)?:\s*" + _IDS
_ANNOTATION = re.compile(r"(?:#|//|<%#|<!--)\s*" + _KIND + r"(?:\s*;\s*" + _KIND + r")*")
_ITEMS = re.compile(r"(?P<kind>todo-expect|todo-ok|expect|ok)(?P<file>-file)?:\s*(?P<ids>" + _IDS + ")")
#: Known false positives met in this session, for the terminal summary (see conftest.py).
TOLERATED: list[str] = []


@dataclass(frozen=True)
class Annotation:
    path: str
    line: int | None  # None: the whole file
    rule_id: str
    kind: str  # expect, ok, todo-ok or todo-expect

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line or '*'}"

    def covers(self, finding: Finding) -> bool:
        return finding.rule_id == self.rule_id and finding.path == self.path and \
            self.line in (None, finding.line)


def _is_annotation_only(line: str) -> bool:
    stripped = line.strip()
    return bool(_ANNOTATION.search(stripped)) and stripped.startswith(("#", "//", "<%#", "<!--"))


def collect(root: Path) -> list[Annotation]:
    """Every annotation in the files under ``root``, with the line it speaks for."""
    out: list[Annotation] = []
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        rel = file.relative_to(root).as_posix()
        for i, line in enumerate(lines):
            match = _ANNOTATION.search(line)
            if not match:
                continue
            j = i + 1
            while j < len(lines) and (_is_annotation_only(lines[j]) or not lines[j].strip()):
                j += 1
            for item in _ITEMS.finditer(match.group(0)):
                target = None if item.group("file") else j + 1
                for rid in re.split(r"\s*,\s*", item.group("ids")):
                    out.append(Annotation(rel, target, rid, item.group("kind")))
    return out


@dataclass
class Outcome:
    """What comparing a report with its annotations found."""

    failures: list[str] = field(default_factory=list)
    tolerated: list[str] = field(default_factory=list)  # findings owned by todo-ok


def compare(annotations: list[Annotation], findings: list[Finding],
            known_rules: set[str] | None = None) -> Outcome:
    """Match findings to annotations; every finding needs an owner, every expect a finding."""
    outcome = Outcome()
    active = [f for f in findings if not f.suppressed]
    if known_rules is not None:
        for a in annotations:
            if a.rule_id not in known_rules:
                outcome.failures.append(f"unknown rule: {a.kind}: {a.rule_id} at {a.where}")
    for finding in active:
        covering = [a for a in annotations if a.covers(finding)]
        where = f"{finding.rule_id} at {finding.path}:{finding.line}"
        if any(a.kind == "ok" for a in covering):
            outcome.failures.append(f"noisy: {where}, where ok: says it must not be: "
                                    f"{finding.message}")
        elif not covering:
            outcome.failures.append(f"noisy: {where}, which no annotation owns: "
                                    f"{finding.message}")
        elif all(a.kind == "todo-ok" for a in covering):
            outcome.tolerated.append(f"{where}: {finding.message}")
    for a in annotations:
        met = any(a.covers(f) for f in active)
        if a.kind == "expect" and not met:
            outcome.failures.append(f"missing: {a.rule_id} expected at {a.where}")
        elif a.kind == "todo-ok" and not met:
            outcome.failures.append(f"fixed: {a.rule_id} is no longer reported at {a.where}; "
                                    "turn todo-ok into ok")
        elif a.kind == "todo-expect" and met:
            outcome.failures.append(f"found: {a.rule_id} is now reported at {a.where}; "
                                    "turn todo-expect into expect")
    return outcome


def check_annotations(root: Path, report: Report, known_rules: set[str] | None = None) -> Outcome:
    """Compare a report of the app at ``root`` with the annotations under it."""
    return compare(collect(root), report.findings, known_rules)


def fixture_apps() -> list[str]:
    """The annotated fixture apps: every folder under tests/fixtures/apps."""
    return sorted(p.name for p in (FIXTURES / "apps").iterdir() if p.is_dir())


def app_path(app: str) -> Path:
    """The folder to grade: the fixture itself, or the skeleton with the fixture laid on it."""
    folder = FIXTURES / "apps" / app
    base = folder / "BASE"
    if not base.is_file():
        return folder
    return _overlay(app, base.read_text(encoding="utf-8").strip())


@cache
def _overlay(app: str, base: str) -> Path:
    folder = FIXTURES / "apps" / app
    target = Path(tempfile.mkdtemp(prefix="rubygrade-fixture-")) / app
    shutil.copytree(FIXTURES / base, target)
    absent = folder / ".absent"
    for rel in absent.read_text(encoding="utf-8").split() if absent.is_file() else ():
        victim = target / rel
        if victim.is_dir():
            shutil.rmtree(victim)
        elif victim.exists():
            victim.unlink()
    for source in sorted(folder.rglob("*")):
        rel = source.relative_to(folder)
        if source.is_file() and rel.name not in ("BASE", ".absent"):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


@cache
def app_report(app: str) -> Report:
    """The fixture app's report with every stable rule, graded once per test session."""
    return grade(app_path(app))
