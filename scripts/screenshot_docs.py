"""Regenerate the screenshots in docs/images/ from the example app, in headless Chromium.

Usage: python scripts/screenshot_docs.py

- docs/images/report.png: the top of `rubygrade grade examples/chatapp --format html`
- docs/images/leaderboard.png: the ranking of a batch of ten variants of the example app
  (the ones the browser tests build)

Needs Debian's chromium and Pillow (a dev dependency). Images are cropped and
reduced to a small palette so they stay small in the repository.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from htmlpages.apps import EXAMPLE, make_batch  # noqa: E402
from htmlpages.cdp import Browser, find_chromium  # noqa: E402
from PIL import Image  # noqa: E402

from rubygrade.cli import main as rubygrade  # noqa: E402

OUT = ROOT / "docs" / "images"


def _save(png: bytes, target: Path, height: int) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.crop((0, 0, image.width, min(height, image.height)))
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        target, optimize=True)
    print(f"{target.relative_to(ROOT)}: {image.width}x{image.height}, {target.stat().st_size} bytes")


def main() -> int:
    executable = find_chromium()
    if executable is None:
        print("error: chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report = work / "chatapp.html"
        board = work / "site" / "leaderboard.html"
        if rubygrade(["grade", str(EXAMPLE), "--format", "html", "-o", str(report)]) != 0:
            return 1
        if rubygrade(["batch", str(make_batch(work / "results")), "-q", "--out", str(work / "r.jsonl"),
                      "--leaderboard", str(board)]) != 0:
            return 1
        with Browser(executable) as browser:
            for page_file, name, width, height in ((report, "report.png", 1100, 1060),
                                                   (board, "leaderboard.png", 1400, 1150)):
                page = browser.open(page_file.as_uri(), width=width, height=height)
                if page.problems():
                    print(f"error: {name}: {page.problems()}", file=sys.stderr)
                    return 1
                _save(page.screenshot(), OUT / name, height)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
