"""Inline suppressions: ``# rubygrade:disable RG401 reason`` in the analysed code.

A directive suppresses the listed rules on its own line; when the comment is
alone on its line it also covers the next line. It is written in the host
language's comment: Ruby/YAML ``#``, ERB ``<%# ... %>``, JavaScript ``//`` or
``/* ... */``, HTML/Markdown ``<!-- ... -->``. Suppressed findings stay in the
report with ``suppressed: true`` and the reason, and never count in the score.

Only real comments count (:func:`comment_directives`): in Ruby, ERB and
JavaScript the comments are the parse tree's comment nodes (and ERB's ``<%#``
comments), so the same text inside a string literal, a heredoc or a template's
HTML suppresses nothing. Other files have no tree; there a directive must be a
whole-line comment outside YAML block scalars and Markdown code fences.

``check_comment_directives`` (``check_directives`` for plain lines) reports a
directive that names an unknown rule ID, a lowercase one or none at all, as a
located diagnostic: it would suppress nothing, and a reader would think it
does. It reads the same real comments, so text in a string literal is never
reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Diagnostic, Finding

if TYPE_CHECKING:
    from rubygrade.sources import SourceFile

_DIRECTIVE = lazy_compile(
    r"(?P<opener><%#|#|//|/\*|<!--)\s*rubygrade:disable\s+"
    r"(?P<ids>(?:all|RG\d{3})(?:\s*,\s*(?:all|RG\d{3}))*)"
    r"(?P<reason>.*?)\s*(?:%>|\*/|-->)?\s*$")
NO_REASON = "suppressed inline (no reason given)"
# Any directive, well formed or not: the word list after it is checked by check_directives.
_ANY_DIRECTIVE = lazy_compile(r"(?:<%#|#|//|/\*|<!--)\s*rubygrade:disable\b(?P<rest>.*)$")
_ID_LIST = lazy_compile(r"\s*(?P<ids>[A-Za-z_]+\d*(?:\s*,\s*[A-Za-z_]+\d*)*)")
_RULE_LIKE = lazy_compile(r"^[A-Za-z]{1,4}\d{1,4}$")


@dataclass(frozen=True)
class Directive:
    """A ``rubygrade:disable`` comment: the rules it silences, and why."""

    line: int
    rule_ids: frozenset[str]
    reason: str
    alone: bool  # the comment is the only thing on its line

    def covers(self, rule_id: str) -> bool:
        return "all" in self.rule_ids or rule_id in self.rule_ids


def directives(lines: Iterable[str]) -> dict[int, list[Directive]]:
    """Directives by the line they apply to (1-based)."""
    found: dict[int, list[Directive]] = {}
    for number, text in enumerate(lines, start=1):
        if "rubygrade:disable" not in text:
            continue
        match = _DIRECTIVE.search(text)
        if match is None:
            continue
        ids = frozenset(part.strip() for part in match["ids"].split(","))
        reason = match["reason"].strip(" \t-:")
        alone = not text[: match.start()].strip()
        directive = Directive(number, ids, reason, alone)
        found.setdefault(number, []).append(directive)
        if alone:
            found.setdefault(number + 1, []).append(directive)
    return found


def apply(findings: list[Finding], lines_of: Callable[[str], Iterable[str] | None],
          directives_of: Callable[[str], dict[int, list[Directive]]] | None = None,
          applied: list[tuple[Finding, Directive]] | None = None) -> list[Finding]:
    """Mark findings covered by a directive; ``lines_of(path)`` gives a file's lines (or None).

    ``directives_of(path)``, when given, finds a file's directives instead (the engine
    passes :func:`comment_directives`, so only real comments count). Each suppression
    made is appended to ``applied`` as (the finding, the directive). Only files that
    carry a finding are scanned, once each.
    """
    cache: dict[str, dict[int, list[Directive]]] = {}
    result: list[Finding] = []
    for finding in findings:
        if finding.path not in cache:
            if directives_of is not None:
                cache[finding.path] = directives_of(finding.path)
            else:
                lines = lines_of(finding.path)
                cache[finding.path] = directives(lines) if lines is not None else {}
        match = next((d for d in cache[finding.path].get(finding.line, []) if d.covers(finding.rule_id)),
                     None)
        if match is None:
            result.append(finding)
        else:
            result.append(finding.model_copy(update={
                "suppressed": True, "suppression_reason": match.reason or NO_REASON}))
            if applied is not None:
                applied.append((finding, match))
    return result


def comment_directives(source: SourceFile) -> dict[int, list[Directive]]:
    """The directives written in the file's real comments, by the line they apply to."""
    if "rubygrade:disable" not in source.text:
        return {}
    found: dict[int, list[Directive]] = {}
    for line, segment, alone in _comment_segments(source):
        if "rubygrade:disable" not in segment:
            continue
        for directive in directives([segment]).get(1, []):
            directive = replace(directive, line=line, alone=alone)
            found.setdefault(line, []).append(directive)
            if alone:
                found.setdefault(line + 1, []).append(directive)
    return found


_MARKUP = {".md", ".markdown", ".html", ".htm"}
_YAML = {".yml", ".yaml"}
_BLOCK_SCALAR = lazy_compile(r"(?:^|:|-)\s*[|>][-+]?\d*[-+]?\s*$")
_FENCE = lazy_compile(r"^\s*(```|~~~)")


def _comment_segments(source: SourceFile) -> Iterator[tuple[int, str, bool]]:
    """(line, the comment's text on that line, whether the comment is alone on its line)."""
    if source.kind in ("ruby", "erb", "javascript"):
        buffer = source.text.encode("utf-8")
        spans = list(source.erb_comments)
        root = source.root
        if root is not None:
            spans += [(n.start_byte, n.end_byte) for n in treeutil.walk(root) if n.type == "comment"]
        for start, end in sorted(spans):
            line_start = buffer.rfind(b"\n", 0, start) + 1
            first = buffer.count(b"\n", 0, start) + 1
            before = buffer[line_start:start].strip()
            # A Ruby comment in a template is alone when only its tag's opener precedes it.
            alone = not before or (source.kind == "erb" and before in (b"<%", b"<%-"))
            text = buffer[start:end].decode("utf-8", errors="replace")
            for offset, segment in enumerate(text.split("\n")):
                yield first + offset, segment, alone or offset > 0
        return
    yield from _whole_line_comments(source)


def _whole_line_comments(source: SourceFile) -> Iterator[tuple[int, str, bool]]:
    """Whole-line comments of a file without a parse tree (YAML, Dockerfile, .env, Markdown)."""
    suffix = PurePosixPath(source.path).suffix.lower()
    markup, yaml = suffix in _MARKUP, suffix in _YAML
    opener = "<!--" if markup else "#"
    block_indent: int | None = None  # inside a YAML block scalar deeper than this indent
    fenced = False
    for number, line in enumerate(source.lines, start=1):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if yaml:
            if block_indent is not None and (not stripped or indent > block_indent):
                continue
            block_indent = indent if _BLOCK_SCALAR.search(line.split(" #", 1)[0]) else None
        if markup and _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced and stripped.startswith(opener):
            yield number, stripped, True


def check_comment_directives(source: SourceFile, known: frozenset[str]) -> list[Diagnostic]:
    """Diagnostics for the directives in the file's real comments that name no known rule."""
    if "rubygrade:disable" not in source.text:
        return []
    out: list[Diagnostic] = []
    for line, segment, _alone in _comment_segments(source):
        out += _check_text(source.path, line, segment, known)
    return out


def check_directives(path: str, lines: Iterable[str], known: frozenset[str]) -> list[Diagnostic]:
    """Diagnostics for the directives of one file's lines that name no known rule (or none at all)."""
    out: list[Diagnostic] = []
    for number, text in enumerate(lines, start=1):
        out += _check_text(path, number, text, known)
    return out


def _check_text(path: str, number: int, text: str, known: frozenset[str]) -> list[Diagnostic]:
    """The diagnostics for the directive (if any) in one line of comment text."""
    if "rubygrade:disable" not in text:
        return []
    match = _ANY_DIRECTIVE.search(text)
    if match is None:
        return []
    ids = _ID_LIST.match(match["rest"])
    words = [w.strip() for w in ids["ids"].split(",")] if ids else []
    rule_like = [w for w in words if w == "all" or _RULE_LIKE.match(w)]
    if not rule_like:
        return [Diagnostic(
            kind="config", path=path, line=number,
            message="rubygrade:disable names no rule ID (write RGnnn, a comma list, or all); "
                    "it suppresses nothing")]
    out: list[Diagnostic] = []
    for word in rule_like:
        if word == "all" or word in known:
            continue
        if word.upper() in known:
            why = f"rule IDs are upper case: write {word.upper()}"
        else:
            why = f"unknown rule ID {word}"
        out.append(Diagnostic(kind="config", path=path, line=number,
                              message=f"rubygrade:disable {word}: {why}; it suppresses nothing"))
    return out
