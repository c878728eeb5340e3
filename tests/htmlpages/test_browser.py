"""The pages in a real browser: headless Chromium loads them from file://, with and without JavaScript.

Checks: no console error or warning (CSP violations included), no request beyond
the page's own file, the bars and the heatmap really drawn (their boxes have the
right sizes and the screenshot has their colours there), the sort and tier
filters work, the print stylesheet applies and the page prints to PDF.
Screenshots go to ``$RUBYGRADE_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rubygrade.cli import main
from rubygrade.models import Report

from .apps import EXAMPLE
from .cdp import Browser, Page, find_chromium
from .conftest import Batch

pytestmark = pytest.mark.slow

Image = pytest.importorskip("PIL.Image", reason="Pillow (a dev dependency) decodes the screenshots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing on CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); CI installs it")
    with Browser(executable) as instance:
        yield instance


def _keep(name: str, png: bytes) -> None:
    folder = os.environ.get("RUBYGRADE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


def _clean_load(page: Page, url: str) -> None:
    assert page.problems() == []
    assert page.requests() == [url]  # nothing but the page itself: no CDN, font or image


def _rgb(css: str) -> tuple[int, int, int]:
    inside = css[css.index("(") + 1:css.index(")")]
    r, g, b = (int(float(x)) for x in inside.split(",")[:3])
    return r, g, b


def _share_of(image: Any, box: dict[str, float], colour: tuple[int, int, int], inset: int = 2,
              tolerance: int = 40) -> float:
    """The share of pixels in ``box`` (CSS px, device scale 1) that are close to ``colour``."""
    left, top = int(box["x"]) + inset, int(box["y"]) + inset
    right, bottom = int(box["x"] + box["width"]) - inset, int(box["y"] + box["height"]) - inset
    assert right > left and bottom > top, box
    data = image.crop((left, top, right, bottom)).convert("RGB").tobytes()
    pixels = [data[i:i + 3] for i in range(0, len(data), 3)]
    close = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, colour, strict=True)) <= tolerance)
    return close / len(pixels)


BAR_BOXES = """
Array.from(document.querySelectorAll(%s)).map(function (svg) {
  var rects = svg.querySelectorAll("rect");
  var t = rects[0].getBoundingClientRect(), f = rects[1].getBoundingClientRect();
  return {track: {x: t.x, y: t.y + window.scrollY, width: t.width, height: t.height},
          fill: {x: f.x, y: f.y + window.scrollY, width: f.width, height: f.height},
          share: parseFloat(rects[1].getAttribute("width")) / 100,
          colour: getComputedStyle(rects[1]).fill};
})
"""


def _check_bars(page: Page, image: Any, selector: str) -> list[dict[str, Any]]:
    bars: list[dict[str, Any]] = page.evaluate(BAR_BOXES % repr(selector))
    assert bars, selector
    for bar in bars:
        track, fill = bar["track"], bar["fill"]
        assert track["width"] > 40 and track["height"] >= 8
        assert fill["width"] == pytest.approx(track["width"] * bar["share"], abs=1.5)
        if fill["width"] >= 8:  # drawn: the screenshot has the fill colour where the bar is
            assert _share_of(image, fill, _rgb(bar["colour"])) > 0.9, bar
    return bars


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "chatapp.html"
    assert main(["grade", str(EXAMPLE), "--format", "html", "-o", str(out),
                 "--source-url", "https://github.com/org/repo/blob/0123abc/"]) == 0
    return out


def test_example_report_renders_with_its_bars(browser: Browser, report_file: Path,
                                              example_report: Report) -> None:
    url = report_file.as_uri()
    page = browser.open(url, width=1280, height=900)
    _clean_load(page, url)
    png = page.screenshot()
    _keep("report.png", png)
    image = Image.open(io.BytesIO(png))
    assert image.width == 1280 and image.height > 2000
    bars = _check_bars(page, image, "table.dims svg.bar")
    assert len(bars) == 8
    assert [b["share"] for b in bars] == pytest.approx(
        [d.score / d.max for d in example_report.dimensions], abs=1e-4)
    assert sum(1 for b in bars if b["fill"]["width"] > 8) >= 7
    [total] = _check_bars(page, image, "div.total svg.bar")
    assert total["share"] == pytest.approx(example_report.total / 100, abs=1e-4)
    titles = page.evaluate("Array.from(document.querySelectorAll('article.finding')).length")
    assert titles == len([f for f in example_report.findings if not f.suppressed])


def test_report_prints(browser: Browser, report_file: Path) -> None:
    page = browser.open(report_file.as_uri(), media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "13.3333px"  # 10pt
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert page.problems() == []


HEAT_CELLS = """
Array.from(document.querySelectorAll("#board td.heat")).map(function (td) {
  var r = td.getBoundingClientRect();
  return {box: {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height},
          colour: getComputedStyle(td).backgroundColor, text: td.textContent.trim()};
})
"""
ROWS = "Array.from(document.querySelectorAll('#board tbody tr')).filter(function (r) { return !r.hidden; })" \
       ".map(function (r) { return r.cells[1].textContent.trim(); })"


def test_leaderboard_of_ten_renders_with_heatmap_bars_and_working_controls(
        browser: Browser, batch: Batch) -> None:
    url = batch.board.as_uri()
    page = browser.open(url, width=1400, height=1000)
    _clean_load(page, url)
    png = page.screenshot()
    _keep("leaderboard.png", png)
    image = Image.open(io.BytesIO(png))
    graded = batch.graded()
    cells = page.evaluate(HEAT_CELLS)
    assert len(cells) == 8 * len(graded) == 80
    colours = set()
    for cell in cells:
        colour = _rgb(cell["colour"])
        assert colour != (255, 255, 255) and cell["text"]
        assert cell["box"]["width"] > 30 and cell["box"]["height"] > 15
        # most of the cell is its shade (the rest is the number and, for low shares, the hatching)
        assert _share_of(image, cell["box"], colour, inset=1, tolerance=60) > 0.5, cell
        colours.add(colour)
    assert len(colours) >= 3
    totals = _check_bars(page, image, "#board svg.bar")
    assert [b["share"] for b in totals] == pytest.approx([x["total"] / 100 for x in graded], abs=1e-4)
    histogram = _check_bars(page, image, "#rules svg.bar")
    assert all(b["fill"]["width"] > 0 for b in histogram)

    # sorting: the Tests column, highest first, then lowest first; ties keep the ranking
    assert page.evaluate("document.querySelectorAll('#board thead button.sort').length") == 13
    tests_index = page.evaluate("Array.from(document.querySelectorAll('#board thead th'))"
                                ".findIndex(function (th) { return th.textContent.indexOf('Tests') === 0; })")
    click = f"document.querySelectorAll('#board thead th')[{tests_index}].querySelector('button').click()"
    page.evaluate(click)
    by_tests = sorted(graded, key=lambda x: -x["scores"]["tests"])  # stable: ties stay in rank order
    assert page.evaluate(ROWS) == [x["repo"] for x in by_tests]
    page.evaluate(click)
    assert page.evaluate(ROWS) == [x["repo"] for x in sorted(graded, key=lambda x: x["scores"]["tests"])]

    # tier filters: the form appears with the script; unticking a tier hides its rows
    assert page.evaluate("document.getElementById('tier-filters').hidden") is False
    tier = graded[0]["tier"]
    page.evaluate(f"var box = document.querySelector('#tier-filters input[value={tier.lower()}]');"
                  "box.click();")
    shown = page.evaluate(ROWS)
    assert sorted(shown) == sorted(x["repo"] for x in graded if x["tier"] != tier)
    assert page.evaluate("document.getElementById('shown-count').textContent") == \
        f"{len(shown)} of 10 shown"
    assert page.problems() == []


def test_leaderboard_reads_without_javascript(browser: Browser, batch: Batch) -> None:
    page = browser.open(batch.board.as_uri(), width=1400, height=1000, javascript=False)
    png = page.screenshot()
    image = Image.open(io.BytesIO(png))
    cells = page.evaluate(HEAT_CELLS)
    assert len(cells) == 80
    for cell in cells[:8]:
        assert _share_of(image, cell["box"], _rgb(cell["colour"]), inset=1, tolerance=60) > 0.5
    assert len(page.evaluate(ROWS)) == 10
    assert page.evaluate("document.querySelectorAll('button').length") == 0
    assert page.evaluate("getComputedStyle(document.getElementById('tier-filters')).display") == "none"
    assert page.problems() == []


def test_every_linked_report_page_loads_cleanly(browser: Browser, batch: Batch) -> None:
    board = browser.open(batch.board.as_uri())
    links = board.evaluate("Array.from(document.querySelectorAll('#board td.repo a')).map(function (a) "
                           "{ return a.href; })")
    assert len(links) == 10
    for link in links:
        page = browser.open(link)
        _clean_load(page, link)
        back = page.evaluate("document.querySelector('p.back a').href")
        assert back == batch.board.as_uri()
        assert page.evaluate("document.querySelectorAll('table.dims svg.bar').length") == 8
