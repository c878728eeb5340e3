"""A repository cannot inject markup into its report or the leaderboard.

Two angles: a real repository whose folder name, file names and contents carry
HTML payloads, graded end to end; and reports in which every free-text field
(as a stored JSON report could hold) is a payload. Each page is parsed and may
hold only the templates' own elements, attributes and links (``safety.py``),
while the hostile text is still shown, as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rubygrade import batch as batch_module
from rubygrade import grade
from rubygrade.models import Report
from rubygrade.render import html, render

from .apps import MODEL_PAYLOADS, PAYLOADS, make_hostile
from .dom import Element
from .safety import check_page

BASE = "https://example.org/o/r/blob/main/"
HOSTS = ("github.com", "example.org")
INVISIBLE = ("\x00", "\x1b", "\x07", "\x0c", "\x85", "\u202e", "\ufeff")


def _text(element: Element) -> str:
    return element.text


def _assert_clean(text: str) -> None:
    assert not any(c in text for c in INVISIBLE)
    text.encode("utf-8")  # no lone surrogate survives


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hostile(tmp_path_factory.mktemp("hostile"))


def test_hostile_repository_report_shows_the_text_and_injects_nothing(hostile_app: Path) -> None:
    report = grade(hostile_app)
    hostile_paths = [f.path for f in report.findings if "<" in f.path or "javascript:" in f.path]
    assert len(hostile_paths) >= 3  # the hostile file names really carry findings
    assert any("<script>alert(1)</script>" in f.snippet for f in report.findings)
    for base in (None, BASE):
        text = render(report, "html", source_url=base)
        _assert_clean(text)
        page = check_page(text, allowed_hosts=HOSTS).root
        assert report.root in _text(page.find("h1"))  # the folder name, shown as text
        shown = [_text(e) for e in page.find_all("span", "where")]
        for path in hostile_paths:
            assert any(html.clean_text(path) in s for s in shown), path
        snippets = " ".join(_text(e) for e in page.find_all("pre", "snippet"))
        carried = [p for p in PAYLOADS if any(p in f.snippet for f in report.findings)]
        assert len(carried) >= 4  # snippets are cut at a line's first 200 characters
        for payload in carried:
            assert payload in snippets
        if base:
            hrefs = [a.get("href") or "" for a in page.find_all("a")]
            links = [h for h in hrefs if h.startswith(BASE)]
            assert len(links) >= len(hostile_paths)
            assert not [h for h in links if any(c in h for c in "<>\"' \x1b")]


def test_hostile_repository_in_a_leaderboard(hostile_app: Path, tmp_path: Path) -> None:
    lines = list(batch_module.run([hostile_app]))
    lines.append({"repo": PAYLOADS[1], "path": "x", "status": "error",
                  "error": "ValueError: " + "\n".join(MODEL_PAYLOADS)})
    board = tmp_path / "board.html"
    written = html.write_leaderboard(lines, board)
    assert len(written) == 2
    for path in written:
        text = path.read_text(encoding="utf-8")
        _assert_clean(text)
        check_page(text, allowed_hosts=HOSTS)
    page = check_page(board.read_text(encoding="utf-8")).root
    row = page.by_id("board").find("tbody").find("tr")
    assert hostile_app.name in _text(row) and row.find("a").get("href") == \
        "board/img-src-x-onerror-alert-0-script-alert-0-b-javascript-x.html"
    failed = _text(page.by_id("failed"))
    assert PAYLOADS[1] in failed and "<script>alert(1)</script>" in failed


_FIXED = {"dimension", "severity", "confidence", "key", "schema_version", "name_of_tool"}


def _poison(value: Any, payload: str, field: str = "", parent: str = "") -> Any:
    """Every free-text string in a dumped report prefixed (and suffixed) with ``payload``."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = _poison(k, payload) if field in ("data", "gems") else k
            out[key] = _poison(v, payload, k, field)
        return out
    if isinstance(value, list):
        return [_poison(v, payload, field, parent) for v in value]
    if isinstance(value, str):
        if field in _FIXED or (parent in ("diagnostics", "grade_changes") and field in ("kind", "source")):
            return value
        if parent == "tool" and field == "name":
            return value
        return f"{payload}{value}{payload}"
    return value


def _hostile_report(example: Report, payload: str) -> Report:
    data = example.model_dump(mode="json")
    data["findings"][0]["suppressed"] = True
    data["findings"][0]["suppression_reason"] = "reason"
    data["diagnostics"] = [{"kind": "parse_error", "message": "m", "path": "p.rb", "line": 2},
                           {"kind": "limit", "message": "m", "path": None, "line": None}]
    data["grade_changes"] = [{"kind": "exclude", "source": "repository", "detail": "d", "path": "x.toml",
                              "line": 3, "rule_id": "RG101"}]
    data["comparable"] = False
    return Report.model_validate(_poison(data, payload))


@pytest.mark.parametrize("payload", MODEL_PAYLOADS, ids=range(len(MODEL_PAYLOADS)))
def test_every_free_text_field_of_a_report_is_escaped(example_report: Report, payload: str) -> None:
    report = _hostile_report(example_report, payload)
    assert payload in report.root and payload in report.findings[0].suppression_reason  # type: ignore[operator]
    for base in (None, BASE):
        text = render(report, "html", source_url=base)
        _assert_clean(text)
        page = check_page(text, allowed_hosts=HOSTS).root
        shown = html.clean_text(payload)
        assert shown in _text(page.find("h1")) and shown in _text(page.by_id("changes"))
        assert shown in _text(page.by_id("suppressed")) and shown in _text(page.by_id("diagnostics"))
    line = {"repo": payload, "path": payload, "status": "ok", "total": report.total, "tier": report.tier,
            "findings": 1, "report": report.model_dump(mode="json")}
    failed = {"repo": payload + "2", "path": "p", "status": "error", "error": payload}
    board = html.render_leaderboard([line, failed], {html.line_key(line): "board/x.html"})
    _assert_clean(board)
    page = check_page(board, allowed_hosts=HOSTS).root
    assert html.clean_text(payload) in _text(page.by_id("board"))


def test_clean_text_makes_invisible_characters_visible() -> None:
    assert html.clean_text("a\x1b[31mb\x00\u202ec\ufeff\ud800\t\n") == \
        "a\u241b[31mb\u2400<U+202E>c<U+FEFF>\ufffd\t\n"
