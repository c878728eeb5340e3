"""HTML for people: a report page per repository and a leaderboard page for a batch.

Each page is one self-contained file: the CSS (and, on the leaderboard, a little
JavaScript for sorting and tier filters) is inline, charts are inline SVG, and
nothing is loaded from the network, so a page opens from a ``file://`` path and
prints to PDF. Every page reads fully without JavaScript.

Everything that comes from the analysed repository (file names, snippets,
messages, repository names, diagnostics) is untrusted text. Templates are Jinja2
with autoescaping on; a ``finalize`` hook also makes control characters,
bidirectional overrides and lone surrogates visible instead of passing them on;
links are built here, never from repository text alone (source links only under
an ``http(s)`` base URL the user gave); and a Content-Security-Policy allows no
network access and only the page's own inline style and script (by hash).

Output is deterministic: the same report gives byte-identical HTML (a
``generated`` label is shown only when the caller passes one).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from rubygrade import __version__, integrity
from rubygrade.models import DIMENSION_ORDER, Dimension, DimensionScore, Finding, Report, ScoreChange

RULE_DOCS_URI = "https://github.com/rubygrade/rubygrade/blob/main/docs/rules/{rule}.md"
SHORT_LABELS = {
    Dimension.DELIVERABLES: "Deliverables", Dimension.RUBYLLM: "RubyLLM", Dimension.TESTS: "Tests",
    Dimension.ERRORS: "Errors", Dimension.PERSISTENCE: "Persistence", Dimension.HOTWIRE: "Hotwire",
    Dimension.ARCHITECTURE: "Architecture", Dimension.PRODUCTION: "Production",
}
LEVELS = 5  # heatmap and bar colour steps, from "under 20 % of the maximum" to "80 % or more"
MAX_LOCATIONS_SHOWN = 5
KNOWN_TIERS = ("A", "B", "C", "D")
_RULE_ID = re.compile(r"^RG\d{3}$")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# C0 and C1 controls (tab and newline kept), DEL, bidirectional embeddings/overrides/isolates,
# zero-width and BOM characters, line/paragraph separators, and lone surrogates.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
                        "\ud800-\udfff]")


class SourceUrlError(ValueError):
    """A ``--source-url`` that is not an absolute http(s) URL usable as a base."""


# --------------------------------------------------------------------------- text and URLs


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture" of that character
    if code == 0x7F:
        return "\u2421"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"<U+{code:04X}>"


def clean_text(value: str) -> str:
    """``value`` with every invisible or control character replaced by a visible stand-in."""
    return _INVISIBLE.sub(_visible, value)


def _finalize(value: object) -> object:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return clean_text(value.replace("\r\n", "\n"))


def validate_source_url(url: str) -> str:
    """The base URL for source links, ending with ``/``; raises ``SourceUrlError``.

    Only absolute ``http``/``https`` URLs with a host are accepted, without query,
    fragment, credentials, whitespace or quote characters: anything else could
    turn a link into something other than a link to the source.
    """
    if not url or any(c.isspace() or not c.isprintable() or c in "\"'<>\\`^{}|" for c in url):
        raise SourceUrlError(f"--source-url {url!r}: not a plain URL (spaces, quotes or controls)")
    if not url.isascii():
        raise SourceUrlError(f"--source-url {url!r}: use the percent-encoded (ASCII) form")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SourceUrlError(f"--source-url {url!r}: must be an absolute http:// or https:// URL")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise SourceUrlError(f"--source-url {url!r}: a base URL cannot have a query or a fragment")
    if parts.username or parts.password:
        raise SourceUrlError(f"--source-url {url!r}: must not carry credentials")
    return url if url.endswith("/") else url + "/"


def source_link(base: str | None, path: str, line: int | None) -> str | None:
    """``base`` + the percent-encoded repository path + ``#L<line>``, or None without a base."""
    if base is None or not path:
        return None
    encoded = "/".join(_quote_segment(segment) for segment in path.split("/"))
    return base + encoded + (f"#L{line}" if line else "")


def _quote_segment(segment: str) -> str:
    try:  # a file name that was not UTF-8 reaches us with its bytes as surrogate escapes
        return quote(segment, safe="", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(segment, safe="", errors="replace")


def safe_file_name(name: str) -> str:
    """A portable file name for a repository's page: ``[A-Za-z0-9._-]``, no leading dot."""
    normalised = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    safe = _SAFE_NAME.sub("-", normalised).strip("-.")[:80].strip("-.")
    return safe or "repository"


def unique_names(names: Sequence[str]) -> list[str]:
    """Safe, distinct (also case-insensitively) names, in the order given."""
    taken: set[str] = set()
    out: list[str] = []
    for name in names:
        base = safe_file_name(name)
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate.lower())
        out.append(candidate)
    return out


# --------------------------------------------------------------------------- formatting


def _num(value: float) -> str:
    return f"{value:g}"


def _signed(value: float) -> str:
    if value > 0:
        return f"+{value:g}"
    if value < 0:
        return f"\u2212{-value:g}"
    return "0"


def _pct(share: float) -> str:
    """A share as an SVG/CSS length, fixed-point so output is byte-stable."""
    return f"{max(0.0, min(share, 1.0)) * 100:.2f}"


def _share(score: float, maximum: float) -> float:
    return max(0.0, min(score / maximum, 1.0)) if maximum > 0 else 0.0


def level(share: float) -> int:
    """Colour step 0 (under 20 %) .. 4 (80 % and more) of a score's share of its maximum."""
    return min(LEVELS - 1, int(math.floor(share * LEVELS + 1e-9)))


def tier_class(tier: str) -> str:
    return f"tier-{tier.lower()}" if tier in KNOWN_TIERS else "tier-other"


def _rule_of(source: str) -> str | None:
    head = source.split(":", 1)[0]
    return head if _RULE_ID.match(head) else None


@cache
def _rule_summary(rule_id: str) -> str | None:
    """The rule's one-paragraph summary from its docstring, or None for a rule this version lacks."""
    try:
        from rubygrade.checks.base import rule_by_id
        from rubygrade.docsgen import RuleDocError, parse_rule_doc

        rule = rule_by_id(rule_id)
        if rule is None:
            return None
        try:
            return " ".join(parse_rule_doc(rule).summary.split()) or rule.summary()
        except RuleDocError:
            return rule.summary()
    except Exception:  # noqa: BLE001 - a renderer must not fail on the rule registry
        return None


def inline_code(text: str | None) -> Markup:
    """``text`` escaped, with its `backtick` spans as ``<code>`` (for the project's own rule docs)."""
    parts = (text or "").split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans
        return Markup(escape(clean_text(text or "")))
    return Markup("").join(Markup("<code>{}</code>").format(clean_text(part)) if i % 2
                           else escape(clean_text(part)) for i, part in enumerate(parts))


def _rule_href(rule_id: str) -> str | None:
    return RULE_DOCS_URI.format(rule=rule_id) if _rule_summary(rule_id) is not None else None


def _split_location(text: str) -> tuple[str, int | None]:
    path, sep, line = text.rpartition(":")
    if sep and line.isdigit():
        return path, int(line)
    return text, None


# --------------------------------------------------------------------------- report view


@dataclass
class Loc:
    text: str
    href: str | None = None


@dataclass
class Line:
    source: str
    rule: str | None
    shape: str | None
    rule_summary: str | None
    points: str
    reason: str
    kind: str  # "penalty", "award" or "clamp"
    locations: list[Loc]
    more: int


@dataclass
class DimView:
    key: str
    name: str
    label: str
    score: str
    max: str
    lost: str
    width: str
    level: int
    lines: list[Line]


@dataclass
class FindingView:
    anchor: str
    rule_id: str
    rule_summary: str | None
    rule_href: str | None
    severity: str
    confidence: str
    message: str
    location: Loc
    snippet: str
    snippet_line: int
    fix: str
    data: list[tuple[str, str]]
    reason: str | None


@dataclass
class EvidenceView:
    kind: str
    message: str
    location: Loc | None
    points: str | None


@dataclass
class Group:
    key: str
    name: str
    items: list[Any] = field(default_factory=list)


def _finding_view(finding: Finding, anchor: str, base: str | None) -> FindingView:
    return FindingView(
        anchor=anchor, rule_id=finding.rule_id, rule_summary=_rule_summary(finding.rule_id),
        rule_href=_rule_href(finding.rule_id), severity=finding.severity.value,
        confidence=finding.confidence.value, message=finding.message,
        location=Loc(f"{finding.path}:{finding.line}", source_link(base, finding.path, finding.line)),
        snippet=finding.snippet.rstrip("\n"), snippet_line=finding.line, fix=finding.fix,
        data=sorted(finding.data.items()), reason=finding.suppression_reason)


def _line_view(change: ScoreChange, anchors: dict[tuple[str, str], str], base: str | None) -> Line:
    rule = _rule_of(change.source)
    locations = []
    for text in change.locations[:MAX_LOCATIONS_SHOWN]:
        path, line = _split_location(text)
        anchor = anchors.get((rule or "", text))
        href = f"#{anchor}" if anchor else source_link(base, path, line)
        locations.append(Loc(text, href))
    kind = "clamp" if change.source == "clamp" else ("award" if change.points > 0 else "penalty")
    shape = change.source.split(":", 1)[1] if rule and ":" in change.source else None
    return Line(source=change.source, rule=rule, shape=shape,
                rule_summary=_rule_summary(rule) if rule else None,
                points=_signed(change.points), reason=change.reason, kind=kind, locations=locations,
                more=max(0, len(change.locations) - MAX_LOCATIONS_SHOWN))


def _dim_view(dim: DimensionScore, anchors: dict[tuple[str, str], str], base: str | None) -> DimView:
    share = _share(dim.score, dim.max)
    order = {"penalty": 0, "award": 1, "clamp": 2}
    lines = sorted((_line_view(c, anchors, base) for c in dim.breakdown if c.points != 0),
                   key=lambda x: (order[x.kind], x.source))
    return DimView(key=dim.key.value, name=dim.name, label=SHORT_LABELS.get(dim.key, dim.name),
                   score=_num(dim.score), max=_num(dim.max), lost=_num(round(dim.max - dim.score, 2)),
                   width=_pct(share), level=level(share), lines=lines)


def report_context(report: Report, source_url: str | None = None, generated: str | None = None,
                   back_href: str | None = None) -> dict[str, Any]:
    """What the report template shows, computed once (the template only lays it out)."""
    base = validate_source_url(source_url) if source_url else None
    names = {d.key: d.name for d in report.dimensions}
    active = [f for f in report.findings if not f.suppressed]
    suppressed = [f for f in report.findings if f.suppressed]

    anchors: dict[tuple[str, str], str] = {}
    by_dim: dict[str, list[FindingView]] = defaultdict(list)
    for i, finding in enumerate(active, start=1):
        anchor = f"finding-{i}"
        anchors.setdefault((finding.rule_id, f"{finding.path}:{finding.line}"), anchor)
        by_dim[finding.dimension.value].append(_finding_view(finding, anchor, base))
    groups = [Group(d.value, names.get(d, SHORT_LABELS[d]), by_dim[d.value])
              for d in DIMENSION_ORDER if by_dim.get(d.value)]

    awarded: dict[str, float] = {}
    for dim in report.dimensions:
        for change in dim.breakdown:
            if change.points > 0 and change.source != "clamp":
                awarded[change.source] = change.points
    evidence: dict[str, list[EvidenceView]] = defaultdict(list)
    for item in report.evidence:
        loc = (Loc(f"{item.path}:{item.line or 1}", source_link(base, item.path, item.line or 1))
               if item.path else None)
        points = awarded.get(item.kind)
        evidence[item.dimension.value].append(
            EvidenceView(item.kind, item.message, loc, _signed(points) if points else None))
    evidence_groups = [Group(d.value, names.get(d, SHORT_LABELS[d]), evidence[d.value])
                       for d in DIMENSION_ORDER if evidence.get(d.value)]

    counts = {s: sum(1 for f in active if f.severity.value == s) for s in ("error", "warning", "info")}
    dims = [_dim_view(d, anchors, base) for d in report.dimensions]
    max_total = sum(d.max for d in report.dimensions) or 100.0
    total_share = _share(report.total, max_total)
    diagnostics = [
        {"kind": d.kind, "message": d.message,
         "location": Loc(f"{d.path}:{d.line}" if d.line else d.path,
                         source_link(base, d.path, d.line)) if d.path else None}
        for d in report.diagnostics]
    changes = [
        {"kind": c.kind.replace("_", " "), "source": c.source.replace("_", " "), "detail": c.detail,
         "rule_id": c.rule_id,
         "location": Loc(f"{c.path}:{c.line}" if c.line else c.path,
                         source_link(base, c.path, c.line)) if c.path else None}
        for c in sorted(report.grade_changes, key=lambda c: c.sort_key())]
    return {
        "title": f"rubygrade report: {report.root}",
        "report": report, "rails": report.app_root is not None, "base": base,
        "total": _num(report.total), "max_total": _num(max_total), "total_width": _pct(total_share),
        "total_level": level(total_share), "tier_class": tier_class(report.tier),
        "dims": dims, "groups": groups, "counts": counts, "active": len(active),
        "suppressed": [_finding_view(f, f"suppressed-{i}", base) for i, f in enumerate(suppressed, 1)],
        "evidence_groups": evidence_groups, "evidence_count": len(report.evidence),
        "awarded_count": sum(1 for e in report.evidence if e.kind in awarded),
        "changes": changes, "diagnostics": diagnostics,
        "ceilings": [{"rule": c.source, "points": _signed(c.points), "reason": c.reason}
                     for c in report.ceilings],
        "generated": generated, "back_href": back_href,
    }


# --------------------------------------------------------------------------- leaderboard view


@dataclass
class Cell:
    key: str
    score: str
    max: str
    value: str
    level: int


@dataclass
class Row:
    rank: int
    repo: str
    href: str | None
    total: str
    total_value: str
    max_total: str
    width: str
    tier: str
    tier_class: str
    tier_key: str
    comparable: bool
    findings: int
    cells: list[Cell]
    changed_by: str = ""  # what besides the shipped defaults changed the grade ("" for none)


@dataclass
class RuleBar:
    rule_id: str
    summary: str | None
    href: str | None
    count: int
    points: str
    width: str


def ranked(lines: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Graded lines by total (best first, then name) and the others by name, as in the batch."""
    items = list(lines)
    graded = sorted((x for x in items if x.get("status") == "ok"), key=lambda x: (-x["total"], x["repo"]))
    others = sorted((x for x in items if x.get("status") != "ok"), key=line_key)
    return graded, others


def _reports(graded: list[dict[str, Any]]) -> list[Report]:
    return [Report.model_validate(line["report"]) for line in graded]


def line_key(line: dict[str, Any]) -> tuple[str, str]:
    """How ``pages`` names a batch line: its repository name and path."""
    return (str(line["repo"]), str(line.get("path", "")))


def leaderboard_context(lines: Iterable[dict[str, Any]], pages: dict[tuple[str, str], str] | None = None,
                        generated: str | None = None) -> dict[str, Any]:
    """What the leaderboard template shows. ``pages`` maps ``line_key(line)`` to a relative href."""
    graded, others = ranked(lines)
    reports = _reports(graded)
    pages = pages or {}
    header: list[dict[str, str]] = []
    for dim in DIMENSION_ORDER:
        found = next((d for r in reports for d in r.dimensions if d.key == dim), None)
        header.append({"key": dim.value, "label": SHORT_LABELS[dim],
                       "name": found.name if found else dim.value, "max": _num(found.max) if found else ""})
    rows: list[Row] = []
    rule_repos: dict[str, int] = defaultdict(int)
    rule_points: dict[str, float] = defaultdict(float)
    for rank, (line, report) in enumerate(zip(graded, reports, strict=True), start=1):
        scores = {d.key: d for d in report.dimensions}
        cells = []
        for dim in DIMENSION_ORDER:
            ds = scores.get(dim)
            if ds is None:
                cells.append(Cell(dim.value, "", "", "-1", 0))
                continue
            share = _share(ds.score, ds.max)
            cells.append(Cell(dim.value, _num(ds.score), _num(ds.max), f"{share:.4f}", level(share)))
        max_total = sum(d.max for d in report.dimensions) or 100.0
        rows.append(Row(
            rank=rank, repo=str(line["repo"]), href=pages.get(line_key(line)), total=_num(report.total),
            total_value=f"{report.total:.2f}", max_total=_num(max_total),
            width=_pct(_share(report.total, max_total)), tier=report.tier,
            tier_class=tier_class(report.tier), tier_key=safe_file_name(report.tier).lower(),
            comparable=report.comparable,
            findings=sum(1 for f in report.findings if not f.suppressed), cells=cells,
            changed_by=integrity.summary(report.grade_changes)))
        lost: dict[str, float] = defaultdict(float)
        for ds in report.dimensions:
            for change in ds.breakdown:
                rule = _rule_of(change.source)
                if rule and change.points < 0:
                    lost[rule] += change.points
        for rule, points in lost.items():
            rule_repos[rule] += 1
            rule_points[rule] += points
    n = len(rows)
    histogram = [
        RuleBar(rule_id=rule, summary=_rule_summary(rule), href=_rule_href(rule), count=count,
                points=_signed(round(rule_points[rule], 2)), width=_pct(count / n if n else 0.0))
        for rule, count in sorted(rule_repos.items(), key=lambda kv: (-kv[1], rule_points[kv[0]], kv[0]))]
    tiers: dict[str, int] = defaultdict(int)
    for row in rows:
        tiers[row.tier] += 1
    tier_order = sorted(tiers, key=lambda t: (KNOWN_TIERS.index(t) if t in KNOWN_TIERS else 99, t))
    totals = [float(line["total"]) for line in graded]
    failed = []
    for line in others:
        reason = str(line.get("error") or line.get("status") or "not graded")
        summary, _, rest = reason.partition("\n")
        failed.append({"repo": str(line["repo"]), "reason": summary, "detail": rest.strip(),
                       "status": str(line.get("status", "error")).replace("_", " ")})
    return {
        "title": "rubygrade leaderboard", "wide": True, "header": header, "rows": rows,
        "histogram": histogram,
        "tiers": [{"tier": t, "count": tiers[t], "tier_class": tier_class(t),
                   "key": safe_file_name(t).lower()} for t in tier_order],
        "failed": failed, "graded": n, "generated": generated,
        "mean": _num(round(statistics.fmean(totals), 1)) if totals else None,
        "median": _num(round(statistics.median(totals), 1)) if totals else None,
        "not_comparable": sum(1 for r in rows if not r.comparable),
        "changes_column": any(r.changed_by for r in rows),
        "linked": any(r.href for r in rows), "version": __version__,
    }


# --------------------------------------------------------------------------- rendering


@cache
def _asset(name: str) -> str:
    return resources.files("rubygrade.render").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("rubygrade.render", "templates"), autoescape=True,
                      undefined=StrictUndefined, finalize=_finalize, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["snippet_lines"] = _snippet_lines
    env.filters["inline_code"] = inline_code
    return env


def _snippet_lines(snippet: str, first: int) -> list[tuple[int, str]]:
    return [(first + i, text.removesuffix("\r")) for i, text in enumerate(snippet.split("\n"))]


def _page(template: str, context: dict[str, Any], script: str | None = None) -> str:
    css = _asset("page.css")
    js = _asset(script) if script else None
    for text in (css, js or ""):
        if "</" in text:  # would end the element early
            raise ValueError("inline assets must not contain '</'")
    script_src = _csp_hash(js) if js else "'none'"
    policy = ("default-src 'none'; base-uri 'none'; form-action 'none'; "
              f"style-src {_csp_hash(css)}; script-src {script_src}")
    return _environment().get_template(template).render(
        **context, css=Markup(css), script=Markup(js) if js else None, csp=policy)


def render(report: Report, source_url: str | None = None, generated: str | None = None,
           back_href: str | None = None) -> str:
    """The report page for ``report``; ``source_url`` turns file:line into links."""
    return _page("report.html.j2", report_context(report, source_url, generated, back_href))


def render_leaderboard(lines: Iterable[dict[str, Any]], pages: dict[tuple[str, str], str] | None = None,
                       generated: str | None = None) -> str:
    """The leaderboard page for batch lines (``pages``: ``line_key(line)`` -> its report page)."""
    return _page("leaderboard.html.j2", leaderboard_context(lines, pages, generated), "leaderboard.js")


def write_leaderboard(lines: Sequence[dict[str, Any]], board: Path,
                      generated: str | None = None) -> list[Path]:
    """Write ``board`` and one report page per graded repository in ``<board stem>/``.

    Page names are the repositories' names made safe and unique; each page links
    back to the board. Returns the paths written, the board first.
    """
    graded, _ = ranked(lines)
    folder = board.parent / board.stem
    ordered = sorted(graded, key=line_key)
    names = unique_names([str(x["repo"]) for x in ordered])
    pages: dict[tuple[str, str], str] = {}
    written: list[Path] = []
    contents: list[tuple[Path, str]] = []
    back = "../" + quote(board.name)
    for line, name in zip(ordered, names, strict=True):
        report = Report.model_validate(line["report"])
        contents.append((folder / f"{name}.html", render(report, generated=generated, back_href=back)))
        pages[line_key(line)] = quote(folder.name) + "/" + quote(name) + ".html"
    board_html = render_leaderboard(lines, pages, generated)
    if contents:
        folder.mkdir(parents=True, exist_ok=True)
    for path, text in contents:
        path.write_text(text, encoding="utf-8")
        written.append(path)
    board.write_text(board_html, encoding="utf-8")
    return [board, *written]
