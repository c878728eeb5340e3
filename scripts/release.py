"""The release step: check the version, then print or create the ``v{version}`` git tag.

    python scripts/release.py            # check, and print the tag and the commands
    python scripts/release.py --tag      # check, and create the annotated tag at HEAD

It checks that ``pyproject.toml`` and ``rubygrade.__version__`` agree, that the
README's and docs/pre-commit.md's ``rev:`` and docs/github-action.md's ``uses:``
name this tag, that the generated docs are current, that the work tree is clean,
and that the tag does not exist yet. The tag is what a pre-commit
``rev: v{version}``, a GitHub Action ``uses: rubygrade/rubygrade@v{version}`` and
every SARIF ``helpUri`` (``.../blob/v{version}/docs/rules/RGnnn.md``) point at;
push it with ``git push origin v{version}``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Files whose snippets must name the release tag (a pre-commit rev or an action ref).
TAGGED_SNIPPETS = {
    "README.md": r"rev: (v[\w.\-]+)",
    "docs/pre-commit.md": r"rev: (v[\w.\-]+)",
    "docs/github-action.md": r"rubygrade/rubygrade@(v[\w.\-]+)",
}


def _git(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def problems(root: Path = ROOT, *, require_clean: bool = True) -> tuple[str, list[str]]:
    """(the tag, what stops the release)."""
    found: list[str] = []
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    init = (root / "src" / "rubygrade" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    package = match.group(1) if match else None
    tag = f"v{project}"
    if package != project:
        found.append(f"pyproject.toml has version {project}, rubygrade.__version__ is {package}")
    for rel, pattern in TAGGED_SNIPPETS.items():
        file = root / rel
        if not file.is_file():
            found.append(f"{rel}: missing")
            continue
        refs = set(re.findall(pattern, file.read_text(encoding="utf-8")))
        if refs != {tag}:
            found.append(f"{rel}: names {', '.join(sorted(refs)) or 'no tag'}, not {tag}")
    stale = subprocess.run([sys.executable, str(root / "scripts" / "generate_docs.py"), "--check"],
                           capture_output=True, text=True, check=False)
    if stale.returncode != 0:
        found.append("generated docs are stale: run python scripts/generate_docs.py")
    if require_clean and _git("status", "--porcelain", root=root).stdout.strip():
        found.append("the work tree has uncommitted changes")
    if _git("rev-parse", "-q", "--verify", f"refs/tags/{tag}", root=root).returncode == 0:
        found.append(f"the tag {tag} exists already")
    return tag, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the version and create the release tag.")
    parser.add_argument("--tag", action="store_true", help="create the annotated tag at HEAD")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    tag, found = problems(args.root)
    for problem in found:
        print(f"release: {problem}", file=sys.stderr)
    if found:
        return 1
    if not args.tag:
        print(f"{tag}: ready. Create it with `python scripts/release.py --tag`, then "
              f"`git push origin {tag}`.")
        return 0
    made = _git("tag", "-a", tag, "-m", f"rubygrade {tag[1:]}", root=args.root)
    if made.returncode != 0:
        print(f"release: git tag failed: {made.stderr.strip()}", file=sys.stderr)
        return 1
    print(f"created {tag}; push it with `git push origin {tag}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
