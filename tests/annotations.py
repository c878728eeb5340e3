"""Inline expectations in fixture files, in the spirit of Semgrep's ``ruleid:``/``ok:``.

A comment line ``# expect: RG201`` (``<%# expect: RG201 %>`` in ERB, ``// expect:``
in JavaScript, ``<!-- expect: RG104 -->`` in Markdown) says the next code line
must carry that finding; ``# ok: RG201`` says it must not. Several IDs may be
listed, separated by commas. ``# todo-expect:`` marks a known miss (not checked).

``check_annotations(root, report)`` returns human-readable failures, each
classified as "missing" (false negative) or "noisy" (false positive).
``FixtureApps`` is the harness the per-dimension ``test_fixture_apps.py`` share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rubygrade.engine import grade
from rubygrade.models import Report

_ANNOTATION = re.compile(
    r"(?:#|//|<%#|<!--)\s*(?P<kind>expect|ok|todo-expect)(?:-file)?:\s*"
    r"(?P<ids>RG\d{3}(?:\s*,\s*RG\d{3})*)")
_FILE_WIDE = re.compile(r"(?:#|//|<%#|<!--)\s*(?P<kind>expect|ok)-file:\s*"
                        r"(?P<ids>RG\d{3}(?:\s*,\s*RG\d{3})*)")


@dataclass(frozen=True)
class Expectation:
    path: str
    line: int | None  # None: anywhere in the file
    rule_id: str
    must: bool  # True: expect, False: ok


def _is_annotation_only(line: str) -> bool:
    stripped = line.strip()
    return bool(_ANNOTATION.search(stripped)) and stripped.startswith(("#", "//", "<%#", "<!--"))


def collect(root: Path) -> list[Expectation]:
    out: list[Expectation] = []
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        rel = file.relative_to(root).as_posix()
        for i, line in enumerate(lines):
            wide = _FILE_WIDE.search(line)
            if wide:
                for rid in re.split(r"\s*,\s*", wide.group("ids")):
                    out.append(Expectation(rel, None, rid, wide.group("kind") == "expect"))
                continue
            match = _ANNOTATION.search(line)
            if not match or match.group("kind") == "todo-expect":
                continue
            target = i + 1
            while target < len(lines) and (_is_annotation_only(lines[target]) or
                                           not lines[target].strip()):
                target += 1
            for rid in re.split(r"\s*,\s*", match.group("ids")):
                out.append(Expectation(rel, target + 1, rid, match.group("kind") == "expect"))
    return out


def check_annotations(root: Path, report: Report, only: set[str] | None = None) -> list[str]:
    """Compare a report with the annotations under ``root``. Empty list: all good."""
    failures: list[str] = []
    found = {(f.path, f.line, f.rule_id) for f in report.findings if not f.suppressed}
    found_files = {(f.path, f.rule_id) for f in report.findings if not f.suppressed}
    for exp in collect(root):
        if only and exp.rule_id not in only:
            continue
        if exp.line is None:
            hit = (exp.path, exp.rule_id) in found_files
        else:
            hit = (exp.path, exp.line, exp.rule_id) in found
        if exp.must and not hit:
            failures.append(f"missing: {exp.rule_id} expected at {exp.path}:{exp.line or '*'}")
        if not exp.must and hit:
            failures.append(f"noisy: {exp.rule_id} reported at {exp.path}:{exp.line or '*'}")
    return failures


def assert_annotations(root: Path, report: Report, only: set[str] | None = None) -> None:
    failures = check_annotations(root, report, only)
    assert not failures, "\n".join(failures)


class FixtureApps:
    """A folder of fixture apps (one per sub-folder) and the rules their annotations check."""

    def __init__(self, folder: Path, rules: set[str]) -> None:
        self.folder = folder
        self.rules = rules
        self._reports: dict[str, Report] = {}

    def names(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir())

    def report(self, app: str) -> Report:
        """The app's report, graded once per test session."""
        if app not in self._reports:
            self._reports[app] = grade(self.folder / app)
        return self._reports[app]

    def failures(self, app: str) -> list[str]:
        return check_annotations(self.folder / app, self.report(app), self.rules)

    def rules_lacking_cases(self, exempt: set[str] | None = None) -> list[str]:
        """Rules without both an ``expect`` and an ``ok`` annotation across the apps."""
        expectations = [e for app in self.names() for e in collect(self.folder / app)]
        lacking: list[str] = []
        for rule in sorted(self.rules - (exempt or set())):
            kinds = {e.must for e in expectations if e.rule_id == rule}
            if kinds != {True, False}:
                lacking.append(f"{rule}: needs expect and ok fixtures, has {kinds}")
        return lacking
