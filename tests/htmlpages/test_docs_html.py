"""The HTML outputs are documented, and the README shows the screenshots kept in docs/images/."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from rubygrade.cli import build_parser

ROOT = Path(__file__).parents[2]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_readme_shows_the_screenshots_and_documents_the_flags() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", readme)
    assert "docs/images/report.png" in images and "docs/images/leaderboard.png" in images
    for image in images:
        path = ROOT / image
        width, height = _png_size(path)
        assert width >= 1000 and height >= 600 and path.stat().st_size < 250_000
    assert "--format text|json|sarif|markdown|html" in readme and "[--source-url URL]" in readme
    assert "--leaderboard board.md|board.csv|board.html" in readme
    assert "(docs/output.md#html)" in readme


def test_output_doc_has_an_html_section_and_the_cli_offers_the_flags() -> None:
    doc = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    section = doc.split("\n## html\n", 1)[1].split("\n## ", 1)[0]
    for phrase in ("--source-url", "--leaderboard board.html", "board/<repo>.html", "grade_changes",
                   "comparable", "Content-Security-Policy", "print"):
        assert phrase in section, phrase
    grade = build_parser().parse_args(["grade", ".", "--format", "html", "--source-url", "https://h/x/"])
    assert grade.format == "html" and grade.source_url == "https://h/x/"
