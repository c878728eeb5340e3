"""`rubygrade batch --leaderboard board.html`: ranking, heatmap, histogram, failures, report pages."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from rubygrade import batch as batch_module
from rubygrade.cli import main
from rubygrade.models import DIMENSION_ORDER, Report
from rubygrade.render import html
from rubygrade.render.html import safe_file_name, unique_names

from .apps import EXAMPLE
from .conftest import Batch
from .dom import Element, parse
from .safety import check_page


def _words(element: Element) -> str:
    return " ".join(element.text.split())


def _rows(page: Element) -> list[Element]:
    return page.by_id("board").find("tbody").find_all("tr")


def _cells(row: Element) -> list[Element]:
    return [c for c in row.children if isinstance(c, Element) and c.tag == "td"]


def test_rows_are_ranked_by_total_with_tier_badges_and_total_bars(batch: Batch) -> None:
    page = check_page(batch.board.read_text(encoding="utf-8")).root
    graded = batch.graded()
    assert len(graded) == 10 and len({x["total"] for x in graded}) >= 5  # the variants really differ
    rows = _rows(page)
    assert [_words(_cells(r)[1]) for r in rows] == [x["repo"] for x in graded]
    for rank, (row, line) in enumerate(zip(rows, graded, strict=True), start=1):
        cells = _cells(row)
        assert _words(cells[0]) == str(rank) and row.get("data-rank") == str(rank)
        badge = cells[2].find("span", "badge")
        assert badge.text == line["tier"] and f"tier-{line['tier'].lower()}" in badge.classes
        assert row.get("data-tier") == line["tier"].lower()
        assert _words(cells[3]) == f"{line['total']:g}"
        fill = cells[4].find("svg").find_all("rect")[1]
        assert float(fill.get("width") or "nan") == pytest.approx(line["total"], abs=0.01)  # of 100
        assert _words(cells[-1]) == str(line["findings"])
    # the same order as the Markdown leaderboard
    md = batch_module.leaderboard(batch.lines, "md").splitlines()[4:]
    assert [r.split(" | ")[1] for r in md[:10]] == [x["repo"] for x in graded]
    tiers = Counter(x["tier"] for x in graded)
    summary = _words(page.find("div", "summary"))
    for tier, count in tiers.items():
        assert f"{tier} \u00d7 {count}" in summary


def test_heatmap_cells_hold_the_score_shaded_by_its_share(batch: Batch) -> None:
    page = parse(batch.board.read_text(encoding="utf-8")).root
    header = [th for th in page.by_id("board").find("thead").find_all("th") if "dim" in th.classes]
    assert [th.get("title") for th in header] == [
        d["name"] for d in batch.graded()[0]["report"]["dimensions"]]
    levels = set()
    for row, line in zip(_rows(page), batch.graded(), strict=True):
        heat = [c for c in _cells(row) if "heat" in c.classes]
        assert len(heat) == 8
        dims = {d["key"]: d for d in line["report"]["dimensions"]}
        for cell, key in zip(heat, (d.value for d in DIMENSION_ORDER), strict=True):
            score, maximum = dims[key]["score"], dims[key]["max"]
            assert _words(cell) == f"{score:g}/{maximum:g}"
            level = min(4, int(score / maximum * 5 + 1e-9))
            assert f"lvl{level}" in cell.classes, (line["repo"], key, cell.classes)
            assert float(cell.get("data-value") or "nan") == pytest.approx(score / maximum, abs=1e-4)
            levels.add(level)
    assert len(levels) >= 3  # the batch exercises several shades
    legend = page.find("p", "legend").find_all("span", "swatch")
    assert [s.classes[1] for s in legend] == [f"lvl{i}" for i in range(5)]


def test_histogram_counts_the_repositories_that_lost_points_to_each_rule(batch: Batch) -> None:
    page = parse(batch.board.read_text(encoding="utf-8")).root
    expected: Counter[str] = Counter()
    for line in batch.graded():
        lost = {c["source"].split(":")[0] for d in line["report"]["dimensions"] for c in d["breakdown"]
                if c["points"] < 0 and c["source"].startswith("RG")}
        expected.update(lost)
    rows = page.by_id("rules").find("tbody").find_all("tr")
    shown = {_words(r.find("td", "rule")): int(r.find_all("td", "num")[0].find("b").text) for r in rows}
    assert shown == dict(expected) and len(shown) >= 5
    counts = [int(r.find_all("td", "num")[0].find("b").text) for r in rows]
    assert counts == sorted(counts, reverse=True)
    for row in rows:
        count = int(row.find_all("td", "num")[0].find("b").text)
        width = float(row.find("svg").find_all("rect")[1].get("width") or "nan")
        assert width == pytest.approx(100 * count / 10, abs=0.01)


def test_repositories_that_were_not_graded_are_listed_with_the_reason(batch: Batch) -> None:
    page = parse(batch.board.read_text(encoding="utf-8")).root
    rows = page.by_id("failed").find("tbody").find_all("tr")
    listed = {_words(r.find_all("td")[0]): [_words(td) for td in r.find_all("td")[1:]] for r in rows}
    assert set(listed) == {"missing-repo", "notes-only"}
    assert listed["notes-only"] == ["not rails", "not a Rails app"]
    status, reason = listed["missing-repo"]
    error = next(x for x in batch.lines if x["repo"] == "missing-repo")["error"]
    assert status == "error" and reason == error.split("\n")[0]
    assert not [r for r in _rows(page) if _words(_cells(r)[1]) in listed]


def test_each_graded_repository_has_its_report_page_linked_from_its_row(batch: Batch) -> None:
    page = parse(batch.board.read_text(encoding="utf-8")).root
    site = batch.board.parent
    pages = sorted((site / "board").iterdir())
    assert len(pages) == 10
    for row, line in zip(_rows(page), batch.graded(), strict=True):
        href = _cells(row)[1].find("a").get("href") or ""
        target = site / unquote(href)
        assert target.parent == site / "board" and target.is_file()
        report = Report.model_validate(line["report"])
        text = target.read_text(encoding="utf-8")
        assert text == html.render(report, back_href="../board.html")
        report_page = check_page(text).root
        assert report_page.find("p", "back").find("a").get("href") == "../board.html"
        assert _words(report_page.find("h1")) == f"rubygrade report: {line['repo']}"


def test_page_reads_without_javascript(batch: Batch) -> None:
    text = batch.board.read_text(encoding="utf-8")
    page = check_page(text).root
    assert all(row.get("hidden") is None for row in _rows(page))
    assert "hidden" in page.by_id("tier-filters").attrs  # the controls appear only when the script runs
    assert not page.find_all("button")
    [script] = page.find_all("script")
    assert script.parent is not None and script.parent.tag == "body"
    for row in _rows(page):  # what the sort and the filters read is in the markup
        assert all(c.get("data-value") is not None for c in _cells(row) if "totalbar" not in c.classes)


def test_leaderboard_output_is_deterministic_and_other_formats_still_work(
        batch: Batch, tmp_path: Path) -> None:
    again = tmp_path / "again" / "board.html"
    html.write_leaderboard(batch.lines, again)
    assert again.read_bytes() == batch.board.read_bytes()
    for name in sorted(p.name for p in (batch.board.parent / "board").iterdir()):
        assert (again.parent / "board" / name).read_bytes() == \
            (batch.board.parent / "board" / name).read_bytes()
    assert main(["batch", str(batch.results), "-q", "--out", str(tmp_path / "r.jsonl"),
                 "--leaderboard", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "b.csv").read_text(encoding="utf-8").startswith("rank,repo,total,tier,")
    assert main(["batch", str(batch.results), "-q", "--leaderboard", str(tmp_path / "b.txt")]) == 2


def test_page_names_are_safe_and_unique(tmp_path: Path) -> None:
    assert safe_file_name("../../etc/passwd") == "etc-passwd"
    assert safe_file_name('"><img src=x onerror=alert(1)>') == "img-src-x-onerror-alert-1"
    assert safe_file_name("...") == "repository" and safe_file_name("Ünïcodé app") == "Unicode-app"
    assert unique_names(["чат", "聊天"]) == ["repository", "repository-2"]
    assert unique_names(["app", "App", "app", "a/p/p", "a p p"]) == ["app", "App-2", "app-3", "a-p-p",
                                                                      "a-p-p-2"]
    for folder in ("one", "two"):  # two results folders, each with a repository called "app"
        shutil.copytree(EXAMPLE, tmp_path / folder / "app")
    board = tmp_path / "out" / "my board.html"
    lines = list(batch_module.run(batch_module.discover([str(tmp_path / "one"), str(tmp_path / "two")])))
    written = html.write_leaderboard(lines, board)
    assert [p.name for p in written] == ["my board.html", "app.html", "app-2.html"]
    page = parse(board.read_text(encoding="utf-8")).root
    hrefs = [_cells(r)[1].find("a").get("href") or "" for r in _rows(page)]
    assert sorted(hrefs) == ["my%20board/app-2.html", "my%20board/app.html"]
    for href in hrefs:
        target = board.parent / unquote(href)
        assert target.is_file()
        back = parse(target.read_text(encoding="utf-8")).root.find("p", "back").find("a").get("href")
        assert back == "../my%20board.html" and (target.parent / unquote(back or "")).resolve() == board


def test_not_comparable_grades_are_flagged(batch: Batch) -> None:
    lines: list[dict[str, Any]] = [dict(x) for x in batch.lines]
    first = next(x for x in lines if x["status"] == "ok")
    first["report"] = {**first["report"], "comparable": False}
    page = parse(html.render_leaderboard(lines)).root
    assert "1 grade not comparable" in _words(page.by_id("not-comparable"))
    flagged = [r for r in _rows(page) if r.find_all("span", "flag")]
    assert [_words(_cells(r)[1]).removesuffix(" not comparable") for r in flagged] == [first["repo"]]
    assert not parse(batch.board.read_text(encoding="utf-8")).root.find_all(
        where=lambda e: e.get("id") == "not-comparable")


def test_batch_says_where_the_pages_went_and_reports_unwritable_boards(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "results" / "chatapp")
    board = tmp_path / "out" / "board.html"
    board.parent.mkdir()
    assert main(["batch", str(tmp_path / "results"), "--out", str(tmp_path / "r.jsonl"),
                 "--leaderboard", str(board)]) == 0
    assert f"rubygrade: wrote {board} and 1 report page(s) in {board.parent / 'board'}/" in \
        capsys.readouterr().err
    (tmp_path / "blocked").write_text("a file, not a folder\n", encoding="utf-8")
    assert main(["batch", str(tmp_path / "results"), "-q", "--out", str(tmp_path / "r.jsonl"),
                 "--leaderboard", str(tmp_path / "blocked" / "board.html")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_an_empty_batch_still_renders(tmp_path: Path) -> None:
    board = tmp_path / "board.html"
    assert main(["batch", str(tmp_path / "nothing-here"), "-q", "--leaderboard", str(board)]) == 0
    page = check_page(board.read_text(encoding="utf-8")).root
    assert "No repository was graded." in _words(page.by_id("ranking"))
    assert not (tmp_path / "board").exists()
