"""`rubygrade grade --format html`: the report page's content, links and determinism."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from rubygrade import grade
from rubygrade.cli import main
from rubygrade.models import Diagnostic, GradeChange, Report
from rubygrade.render import render
from rubygrade.render.html import SourceUrlError, source_link, validate_source_url

from .apps import EXAMPLE
from .dom import Element, parse
from .safety import asset, check_page

BASE = "https://github.com/org/repo/blob/0123abc/"


def _words(element: Element) -> str:
    return " ".join(element.text.split())


def _fmt(value: float) -> str:
    return f"{value:g}"


def test_score_card_shows_every_dimension_with_its_bar_and_breakdown(example_report: Report) -> None:
    page = check_page(render(example_report, "html")).root
    assert _words(page.find("h1")) == "rubygrade report: chatapp"
    total = page.find("div", "total")
    assert _words(total.find("div", "number")) == f"{_fmt(example_report.total)} / 100"
    badge = total.find("span", "badge")
    assert badge.text == example_report.tier and f"tier-{example_report.tier.lower()}" in badge.classes
    assert len(example_report.dimensions) == 8
    for dim in example_report.dimensions:
        row = page.by_id(f"dim-{dim.key.value}")
        cells = [c for c in row.children if isinstance(c, Element)]
        assert _words(cells[0]) == dim.name and cells[0].tag == "th"
        assert _words(cells[1]) == f"{_fmt(dim.score)} / {_fmt(dim.max)}"
        fill = cells[2].find("svg").find_all("rect")[1]
        assert float(fill.get("width") or "nan") == pytest.approx(100 * dim.score / dim.max, abs=0.01)
        lost = dim.max - dim.score
        assert _words(cells[3]) == (f"\u2212{_fmt(lost)}" if lost else "0")
        items = [_words(li) for li in page.by_id(f"why-{dim.key.value}").find("ul", "why").find_all("li")]
        changes = [c for c in dim.breakdown if c.points]
        if not changes:
            assert items == ["No penalty found."] if lost == 0 else len(items) == 1
            continue
        assert len(items) == len(changes)
        for change in changes:
            sign = "+" if change.points > 0 else "\u2212"
            line = next(i for i in items if change.reason.replace("`", "") in i)
            assert line.startswith(f"{sign}{_fmt(abs(change.points))}")
            assert all(loc in line for loc in change.locations[:5])


def test_findings_grouped_by_dimension_with_snippet_why_and_fix(example_report: Report) -> None:
    page = check_page(render(example_report, "html")).root
    articles = page.find_all("article", "finding")
    active = [f for f in example_report.findings if not f.suppressed]
    assert len(articles) == len(active) > 0
    for finding in active:
        [card] = [a for a in articles if f"{finding.path}:{finding.line}" in _words(a.find("span", "where"))
                  and finding.rule_id in _words(a.find(cls="rule"))]
        assert finding.severity.value in card.classes
        assert _group_of(page, card) == f"findings-{finding.dimension.value}"
        snippet = card.find("pre", "snippet").text
        assert snippet.startswith(str(finding.line)) and finding.snippet.strip() in snippet
        assert finding.message.replace("`", "") in _words(card)
        assert f"Fix: {finding.fix.replace('`', '')}" in _words(card.find("p", "fix"))
    # the rule IDs link to their documentation
    link = page.find("a", "rule")
    assert link.get("href") == f"https://github.com/rubygrade/rubygrade/blob/main/docs/rules/{link.text}.md"


def _group_of(page: Element, card: Element) -> str:
    """The id of the last <h3> before ``card`` in document order."""
    last = ""
    for element in page.iter():
        if element.tag == "h3" and (element.get("id") or "").startswith("findings-"):
            last = element.get("id") or ""
        if element is card:
            return last
    raise AssertionError("card not in page")


def test_evidence_lists_every_item_and_marks_what_earned_points(example_report: Report) -> None:
    page = check_page(render(example_report, "html")).root
    section = page.by_id("evidence")
    rows = [tr for body in section.find_all("tbody") for tr in body.find_all("tr")]
    assert len(rows) == len(example_report.evidence)
    awarded = {c.source: c.points for d in example_report.dimensions for c in d.breakdown if c.points > 0}
    for item in example_report.evidence:
        [row] = [r for r in rows if _words(r.find_all("td")[0]).endswith(item.kind)
                 and item.message.replace("`", "") in _words(r)]
        award = row.find_all("b", "award")
        if item.kind in awarded:
            assert award and award[0].text == f"+{_fmt(awarded[item.kind])}"
        else:
            assert not award


def test_source_url_turns_locations_into_escaped_links(example_report: Report) -> None:
    page = check_page(render(example_report, "html", source_url=BASE)).root
    for finding in (f for f in example_report.findings if not f.suppressed):
        expected = BASE + quote(finding.path) + f"#L{finding.line}"
        assert page.find_all("a", where=lambda e, h=expected: e.get("href") == h), expected
    # score-card locations jump to the finding on the page
    for anchor in page.find("table", "dims").find_all("a"):
        href = anchor.get("href") or ""
        assert href.startswith("#finding-") or href.startswith(BASE)
        if href.startswith("#"):
            target = page.by_id(href[1:])
            assert anchor.text in _words(target.find("span", "where"))
    assert source_link(BASE, "app/views/a b/<x>&\"y'.erb", 3) == \
        BASE + "app/views/a%20b/%3Cx%3E%26%22y%27.erb#L3"
    assert validate_source_url("https://gitlab.example/o/r/-/blob/main") == \
        "https://gitlab.example/o/r/-/blob/main/"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)//", "data:text/html,x", "file:///etc/passwd", "ftp://host/x/", "//host/x/",
    "https:///no-host/", "https://host/x/?q=1", "https://host/x/#frag", "https://user:pw@host/x/",
    'https://host/x/"onmouseover="alert(1)', "https://host/x y/", "https://host/\x00/", "",
    "https://h\u00f6st/x/", "https://host/<script>/",
])
def test_source_url_refuses_anything_but_a_plain_http_base(url: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SourceUrlError):
        validate_source_url(url)
    out = tmp_path / "r.html"
    assert main(["grade", str(EXAMPLE), "-f", "html", "-o", str(out), "--source-url", url]) == 2
    assert "--source-url" in capsys.readouterr().err and not out.exists()


def test_cli_writes_the_page_and_refuses_source_url_for_other_formats(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["grade", str(EXAMPLE), "--format", "html", "-o", str(out), "--source-url", BASE]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and f'href="{BASE}app/' in text
    assert main(["grade", str(EXAMPLE), "--format", "json", "--source-url", BASE]) == 2
    assert "--source-url applies to --format html only" in capsys.readouterr().err
    assert main(["grade", str(EXAMPLE), "--format", "html"]) == 0
    assert capsys.readouterr().out == render(grade(EXAMPLE), "html")


def test_grade_changes_and_the_not_comparable_banner(example_report: Report) -> None:
    changes = [
        GradeChange(kind="rubric", source="repository", detail="rubric grading/easy.toml",
                    path=".rubygrade.toml", line=1),
        GradeChange(kind="disabled_rules", source="command_line", detail="rules not run: RG401",
                    rule_id="RG401"),
        GradeChange(kind="suppression", source="repository", detail="suppressed inline: no reason",
                    path="app/services/chat_session.rb", line=34, rule_id="RG401"),
    ]
    report = example_report.model_copy(update={"grade_changes": changes, "comparable": False})
    page = check_page(render(report, "html", source_url=BASE)).root
    banner = page.by_id("not-comparable")
    assert "Not comparable" in _words(banner) and banner.find("a").get("href") == "#changes"
    rows = page.by_id("changes").find("tbody").find_all("tr")
    expected = sorted(changes, key=lambda c: c.sort_key())
    assert len(rows) == 3
    for row, change in zip(rows, expected, strict=True):
        cells = [_words(td) for td in row.find_all("td")]
        assert cells[0] == change.kind.replace("_", " ") and cells[1] == change.source.replace("_", " ")
        assert change.detail in cells[2] and (change.rule_id or "") in cells[2]
        if change.path:
            assert cells[3] == f"{change.path}:{change.line}"
            assert row.find("a").get("href") == BASE + quote(change.path) + f"#L{change.line}"
        else:
            assert cells[3] == "\u2014"
    plain = parse(render(example_report, "html")).root
    assert not plain.find_all(where=lambda e: e.get("id") == "not-comparable")
    assert "None recorded" in _words(plain.by_id("changes"))


def test_suppressed_findings_and_diagnostics_have_their_sections(example_report: Report) -> None:
    first, *rest = example_report.findings
    hidden = first.model_copy(update={"suppressed": True, "suppression_reason": "tracked in issue 12"})
    diagnostics = [Diagnostic(kind="parse_error", message="syntax error at line 2", path="app/x.rb", line=2),
                   Diagnostic(kind="limit", message="more than 20000 files; the rest were skipped")]
    report = example_report.model_copy(update={"findings": [hidden, *rest], "diagnostics": diagnostics})
    page = check_page(render(report, "html")).root
    assert len(page.find_all("article", "finding")) == len(rest)
    [row] = page.by_id("suppressed").find("tbody").find_all("tr")
    cells = [_words(td) for td in row.find_all("td")]
    assert cells == [first.rule_id, f"{first.path}:{first.line}", first.message.replace("`", ""),
                     "tracked in issue 12"]
    assert "1 suppressed" in _words(page.find("p", "counts"))
    rows = page.by_id("diagnostics").find("tbody").find_all("tr")
    assert [[_words(td) for td in r.find_all("td")] for r in rows] == [
        ["parse_error", "app/x.rb:2", "syntax error at line 2"],
        ["limit", "\u2014", "more than 20000 files; the rest were skipped"]]


def test_a_folder_that_is_not_a_rails_app_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("hello\n", encoding="utf-8")
    page = check_page(render(grade(tmp_path / "notes"), "html")).root
    assert "Not a Rails app" in _words(page.by_id("not-rails"))
    assert _words(page.find("div", "number")) == "0 / 100"


def test_page_is_self_contained_with_a_strict_content_security_policy(example_report: Report) -> None:
    html = render(example_report, "html", source_url=BASE)
    page = check_page(html, allowed_hosts=("github.com",)).root
    assert not page.find_all("script") and not page.find_all("link") and not page.find_all("img")
    assert not re.search(r"\b(src|srcset|action)=", html) and "url(" not in html and "@import" not in html
    [policy] = [m.get("content") or "" for m in page.find_all("meta")
                if m.get("http-equiv") == "Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(asset("page.css").encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert "@media print" in asset("page.css")


def test_same_report_gives_byte_identical_html(example_report: Report, tmp_path: Path) -> None:
    one = render(example_report, "html", source_url=BASE)
    stored = Report.model_validate_json(example_report.model_dump_json())
    assert one == render(stored, "html", source_url=BASE)
    copy = tmp_path / "elsewhere" / "chatapp"
    shutil.copytree(EXAMPLE, copy)
    assert render(grade(copy), "html", source_url=BASE) == one
    assert "generated" not in _words(parse(one).root.find("p", "meta"))
    stamped = render(example_report, "html", generated="2026-05-01 12:00 UTC")
    assert "generated 2026-05-01 12:00 UTC" in _words(parse(stamped).root.find("p", "meta"))
