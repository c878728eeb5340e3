#!/usr/bin/env python3
"""Build api_signatures/ruby_llm/<version>.json for every ruby_llm release.

Default: read every release tag (``X.Y.Z``; rc/pre tags skipped) from a git
mirror of crmne/ruby_llm, export its ``lib/`` to a temporary folder and run the
extractor. Output is deterministic (sorted keys, no timestamps), so rebuilding
an unchanged release gives a byte-identical file.

    python scripts/build_catalogues.py --mirror /work/.mirror/crmne+ruby_llm/repo
    python scripts/build_catalogues.py --mirror ... --only 1.14.1 1.16.0

Adding a release that is not in the mirror, e.g. 1.17.0, from an installed gem:

    cd some_rails_app && bundle show ruby_llm      # -> /path/to/gems/ruby_llm-1.17.0
    python scripts/build_catalogues.py --gem-dir /path/to/gems/ruby_llm-1.17.0 \\
        --version 1.17.0 [--commit <sha from the gem's git tag, if known>]

(``gem contents ruby_llm`` or ``gem which ruby_llm`` locate it too.) Equivalent:
``rubygrade catalogue build GEM_DIR --version 1.17.0``. Commit the new JSON and
run ``pytest tests/catalogue``. No Ruby is executed; files are parsed with tree-sitter.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rubygrade.catalogue.extractor import build_catalogue  # noqa: E402
from rubygrade.catalogue.names import INDEX_NAME, build_index  # noqa: E402
from rubygrade.catalogue.store import (  # noqa: E402
    available_versions,
    read_catalogue,
    version_key,
    write_catalogue,
)

DEFAULT_MIRROR = Path("/work/.mirror/crmne+ruby_llm/repo")
DEFAULT_OUT = ROOT / "api_signatures" / "ruby_llm"
RELEASE = re.compile(r"^v?(\d+\.\d+\.\d+)$")


def git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True,
                          capture_output=True).stdout


def release_tags(mirror: Path, minimum: str = "1.0.0") -> list[tuple[str, str]]:
    """(tag, version) for every release tag >= minimum, oldest first."""
    out = []
    for tag in git(mirror, "tag", "--list").decode().split():
        m = RELEASE.match(tag)
        if m and version_key(m.group(1)) >= version_key(minimum):
            out.append((tag, m.group(1)))
    return sorted(out, key=lambda tv: version_key(tv[1]))


def build_from_tag(mirror: Path, tag: str, version: str, out_dir: Path) -> Path:
    commit = git(mirror, "rev-list", "-n1", tag).decode().strip()
    data = git(mirror, "archive", "--format=tar", tag, "lib")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        catalogue = build_catalogue(Path(tmp) / "lib", version, commit)
    path = out_dir / f"{version}.json"
    write_catalogue(catalogue, path)
    return path


def lib_of(gem_dir: Path) -> Path:
    return gem_dir / "lib" if (gem_dir / "lib").is_dir() else gem_dir


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR,
                    help="bare git mirror of crmne/ruby_llm (default: %(default)s)")
    ap.add_argument("--only", nargs="*", help="build only these versions")
    ap.add_argument("--gem-dir", type=Path,
                    help="build one version from an installed gem folder (or its lib/)")
    ap.add_argument("--version", help="version of --gem-dir")
    ap.add_argument("--commit", help="commit SHA of --gem-dir, if known")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    ap.add_argument("--index-only", action="store_true",
                    help="only rebuild the cross-version name index from the catalogues")
    args = ap.parse_args(argv)

    if args.index_only:
        write_name_index(args.out)
        return 0

    if args.gem_dir:
        if not args.version:
            ap.error("--gem-dir needs --version")
        catalogue = build_catalogue(lib_of(args.gem_dir), args.version, args.commit)
        path = args.out / f"{args.version}.json"
        write_catalogue(catalogue, path)
        print(f"wrote {path} ({len(catalogue.classes)} classes)")
        write_name_index(args.out)
        return 0

    tags = release_tags(args.mirror)
    if args.only:
        tags = [(t, v) for t, v in tags if v in set(args.only)]
    for tag, version in tags:
        path = build_from_tag(args.mirror, tag, version, args.out)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    write_name_index(args.out)
    return 0


def write_name_index(out_dir: Path) -> None:
    """Rebuild ``_names.json``: which versions have each method and constant (see names.py)."""
    catalogues = [read_catalogue(out_dir / f"{v}.json") for v in available_versions(out_dir)]
    path = out_dir / INDEX_NAME
    path.write_text(build_index(catalogues), encoding="utf-8")
    print(f"wrote {path} ({len(catalogues)} versions)")


if __name__ == "__main__":
    raise SystemExit(main())
