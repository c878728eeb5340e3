"""The analysed repository: where the Rails app is, which files count, what it locks.

A repository is untrusted input. Files are listed, never executed; symlinks
are followed only when they stay inside the repository; vendored and
generated trees are skipped; size and count limits turn into diagnostics.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath

from rubygrade.gemfile import Gemfile, Lockfile, parse_gemfile, parse_lockfile
from rubygrade.models import Diagnostic
from rubygrade.sources import SourceFile, classify

SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "tmp",
    "log",
    "coverage",
    ".bundle",
    ".cache",
    ".yarn",
    "storage",
}
SKIPPED_PATHS = ("vendor/bundle", "vendor/cache", "public/assets", "public/packs",
                 "app/assets/builds", "public/vite", "vendor/javascript")


class FileRole(str, Enum):
    """What a file is to the Rails app, decided by its app-relative folder (one definition)."""

    RUNTIME = "runtime"  # app/, lib/, config/: code the app runs while serving requests or jobs
    TEST = "test"  # test/, spec/, features/
    SUPPORT = "support"  # db/, script/, bin/, top-level files (Rakefile, Gemfile): code, not served
    DOCS = "docs"  # any other folder of the app (docs/, examples/, ...): prose, not code
    OUTSIDE = "outside"  # outside the Rails app folder


#: App-relative folders of each role. ``jobs/`` and ``services/`` at the top are code some
#: apps keep outside ``app/``; it runs, but Rails does not autoload it, so it is support code.
RUNTIME_DIRS = ("app/", "lib/", "config/")
TEST_DIRS = ("test/", "spec/", "features/")
SUPPORT_DIRS = ("db/", "script/", "bin/", "jobs/", "services/")


def role_of(app_rel: str | None) -> FileRole:
    if app_rel is None:
        return FileRole.OUTSIDE
    if app_rel.startswith(RUNTIME_DIRS):
        return FileRole.RUNTIME
    if app_rel.startswith(TEST_DIRS):
        return FileRole.TEST
    if "/" not in app_rel or app_rel.startswith(SUPPORT_DIRS):
        return FileRole.SUPPORT
    return FileRole.DOCS


class ProjectError(Exception):
    """The path cannot be graded at all (missing, not a folder, unreadable)."""


@dataclass(frozen=True)
class Limits:
    """Guards against hostile repositories. Hitting one is a diagnostic, never a crash."""

    max_file_bytes: int = 2_000_000
    max_files: int = 20_000


def _skipped(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    if any(p in SKIPPED_DIRS for p in parts[:-1]):
        return True
    return any(rel == p or rel.startswith(p + "/") for p in SKIPPED_PATHS) or any(
        f"/{p}/" in f"/{rel}" for p in SKIPPED_PATHS
    )


@dataclass
class Project:
    """A repository and the Rails app in it."""

    root: Path
    app_dir: str | None  # repo-relative folder of the Rails app; "" is the root itself
    files: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lockfile: Lockfile | None = None
    gemfile: Gemfile | None = None
    is_git: bool = False
    # Role per repo-relative path: the analyses ask for it per call site and per method.
    _roles: dict[tuple[str | None, str], FileRole] = field(default_factory=dict, repr=False,
                                                           compare=False)

    # -- queries -------------------------------------------------------------
    @property
    def is_rails(self) -> bool:
        return self.app_dir is not None

    @property
    def nested(self) -> bool:
        """The app lives in a sub-folder instead of at the repository root."""
        return bool(self.app_dir)

    def app_path(self, rel: str) -> str:
        """Repo-relative path of an app-relative path (``app/models`` -> ``myapp/app/models``)."""
        return f"{self.app_dir}/{rel}" if self.app_dir else rel

    def app_relative(self, path: str) -> str | None:
        """The app-relative form of a repo-relative path, or None when outside the app."""
        if not self.app_dir:
            return path
        prefix = self.app_dir + "/"
        return path[len(prefix):] if path.startswith(prefix) else None

    def role(self, path: str) -> FileRole:
        """The role of a repo-relative path (see :class:`FileRole`)."""
        key = (self.app_dir, path)  # app_dir in the key: a caller may move the app root
        role = self._roles.get(key)
        if role is None:
            role = self._roles[key] = role_of(self.app_relative(path))
        return role

    def is_runtime(self, path: str) -> bool:
        """App code that runs while serving requests or jobs (app/, lib/, config/)."""
        return self.role(path) is FileRole.RUNTIME

    def is_test(self, path: str) -> bool:
        return self.role(path) is FileRole.TEST

    def is_code(self, path: str) -> bool:
        """Code the app runs or tests (not docs, examples, or files outside the app)."""
        return self.role(path) in (FileRole.RUNTIME, FileRole.TEST, FileRole.SUPPORT)

    def is_app_code(self, path: str) -> bool:
        """Code the app ships (runtime or support), not its tests, docs or outside files."""
        return self.role(path) in (FileRole.RUNTIME, FileRole.SUPPORT)

    def get(self, app_rel: str) -> SourceFile | None:
        return self.files.get(self.app_path(app_rel))

    def app_files(self, kind: str | None = None, under: str = "") -> list[SourceFile]:
        """Files of the Rails app, optionally of one kind and below one app folder."""
        out = []
        for source in self.files.values():
            rel = self.app_relative(source.path)
            if rel is None or (under and not rel.startswith(under)):
                continue
            if kind is None or source.kind == kind:
                out.append(source)
        return out

    def exists(self, app_rel: str) -> bool:
        return self.app_path(app_rel) in self.files

    def gem_version(self, name: str) -> str | None:
        return self.lockfile.version_of(name) if self.lockfile else None


def _git_files(root: Path) -> list[str] | None:
    """Tracked plus untracked-not-ignored files, or None when ``root`` is not a git work tree."""
    if not (root / ".git").exists():
        return None
    try:
        result = subprocess.run(
            # The repository's own .git/config is untrusted: core.fsmonitor names a command
            # that ``git ls-files`` would run while reading the index. Never let it.
            ["git", "-C", str(root), "-c", "core.fsmonitor=false", "ls-files", "-z",
             "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return sorted({n for n in names if n})


def _walk_files(root: Path, diagnostics: list[Diagnostic]) -> list[str]:
    """Every regular file below ``root``, pruning skipped folders, never leaving the repository."""
    out: list[str] = []
    real_root = root.resolve()
    seen_dirs: set[str] = set()

    def on_error(err: OSError) -> None:
        rel = os.path.relpath(err.filename, root) if err.filename else "?"
        diagnostics.append(Diagnostic(kind="skipped", path=rel, message=f"unreadable: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        real = os.path.realpath(dirpath)
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        if real in seen_dirs or not _inside(Path(real), real_root):
            if rel_dir:
                diagnostics.append(Diagnostic(kind="skipped", path=rel_dir,
                                              message="symlinked folder leaves the repository or loops"))
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        kept = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if d in SKIPPED_DIRS or _skipped(rel + "/x"):
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            out.append(f"{rel_dir}/{name}" if rel_dir else name)
    return out


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def find_app_dir(root: Path, candidates: list[str]) -> str | None:
    """The Rails app folder: the root, or one folder down (a generated ``myapp/``)."""
    names = set(candidates)

    def looks_like_app(prefix: str) -> bool:
        p = f"{prefix}/" if prefix else ""
        if f"{p}config/application.rb" in names:
            return True
        return f"{p}Gemfile" in names and any(n.startswith(f"{p}app/") for n in names)

    if looks_like_app(""):
        return ""
    subfolders = sorted({n.split("/", 1)[0] for n in names if "/" in n})
    for sub in subfolders:
        if looks_like_app(sub):
            return sub
    return None


def load_project(path: str | Path, limits: Limits | None = None) -> Project:
    """List the repository's files and find its Rails app. Raises ProjectError for bad paths."""
    limits = limits or Limits()
    root = Path(path)
    if not root.exists():
        raise ProjectError(f"{path}: no such file or directory")
    if not root.is_dir():
        raise ProjectError(f"{path}: not a directory")
    if not os.access(root, os.R_OK | os.X_OK):
        raise ProjectError(f"{path}: permission denied")

    diagnostics: list[Diagnostic] = []
    listed = _git_files(root)
    is_git = listed is not None
    if listed is None:
        listed = _walk_files(root, diagnostics)
    real_root = root.resolve()

    files: dict[str, SourceFile] = {}
    parseable: list[SourceFile] = []
    for rel in listed:
        if _skipped(rel):
            continue
        if len(files) >= limits.max_files:
            diagnostics.append(Diagnostic(
                kind="limit", message=f"more than {limits.max_files} files; the rest were skipped"))
            break
        abspath = root / rel
        try:
            if abspath.is_symlink() and not _inside(abspath.resolve(), real_root):
                diagnostics.append(Diagnostic(kind="skipped", path=rel,
                                              message="symlink leaves the repository; not followed"))
                continue
            stat = abspath.stat()
        except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on old Pythons
            reason = getattr(exc, "strerror", None) or "symlink loop"
            diagnostics.append(Diagnostic(kind="skipped", path=rel, message=f"unreadable: {reason}"))
            continue
        if not abspath.is_file():
            continue
        if stat.st_size > limits.max_file_bytes:
            diagnostics.append(Diagnostic(
                kind="limit", path=rel,
                message=f"file of {stat.st_size} bytes is over the {limits.max_file_bytes}-byte "
                "limit; not parsed"))
            files[rel] = SourceFile(path=rel, abspath=abspath, size=stat.st_size, kind="other",
                                    _data=b"")
            continue
        files[rel] = SourceFile(path=rel, abspath=abspath, size=stat.st_size, kind="other")
        parseable.append(files[rel])

    app_dir = find_app_dir(root, list(files))
    project = Project(root=root, app_dir=app_dir, files=files, diagnostics=diagnostics,
                      is_git=is_git)
    # Classify by app-relative path, so app/javascript/ is found in a nested app too;
    # files over the size limit stay "other" (listed, never parsed).
    for source in parseable:
        source.kind = classify(project.app_relative(source.path) or source.path)
    _read_bundler_files(project)
    return project


def _read_bundler_files(project: Project) -> None:
    lock = project.get("Gemfile.lock")
    if lock is not None and lock.text:
        project.lockfile = parse_lockfile(lock.text)
    gemfile = project.get("Gemfile")
    if gemfile is not None and gemfile.root is not None:
        project.gemfile = parse_gemfile(gemfile.root)
