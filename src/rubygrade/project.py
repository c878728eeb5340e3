"""The analysed repository: where the Rails app is, which files count, what it locks.

A repository is untrusted input. Files are listed, never executed; symlinks
are followed only when they stay inside the repository; vendored and
generated trees are skipped; size and count limits turn into diagnostics.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Collection
from dataclasses import field
from enum import Enum
from functools import cached_property
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Literal

from rubygrade.dataclass_lite import dataclass
from rubygrade.gemfile import Gemfile, Lockfile, parse_gemfile, parse_lockfile
from rubygrade.gitignore import IgnoreFile
from rubygrade.models import Diagnostic
from rubygrade.safetext import safe_name
from rubygrade.sources import CODE_KINDS, SourceFile, classify

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
    """Guards against hostile repositories. Hitting one is a diagnostic, never a crash.

    A file over ``max_file_bytes`` is listed but not parsed, except the app's own code
    (Ruby, ERB and JavaScript in its code folders): that is parsed anyway up to
    ``code_ceiling_factor`` times the limit, so padding a file cannot hide it. Code past
    that hard ceiling, or past ``max_files``, is reported by RG113.
    """

    max_file_bytes: int = 2_000_000
    max_files: int = 20_000
    code_ceiling_factor: int = 8

    @property
    def max_code_file_bytes(self) -> int:
        return self.max_file_bytes * self.code_ceiling_factor


_SKIPPED_INFIXES = tuple(f"/{p}/" for p in SKIPPED_PATHS)


def _skipped(rel: str) -> bool:
    """A file (or, given ``folder/x``, a folder) in a skipped folder or below a skipped path.

    Called for every listed file: plain string tests, no ``PurePosixPath``. The folders are
    the path's parts as ``PurePosixPath.parts`` gives them (empty and ``.`` parts dropped;
    a root ``/`` is never a skipped name), and ``p/`` at the start is ``/p/`` inside
    ``/rel``."""
    parts = rel.split("/")
    if "" in parts or "." in parts:
        parts = [p for p in parts if p and p != "."]
    if not SKIPPED_DIRS.isdisjoint(parts[:-1]):
        return True
    if rel in SKIPPED_PATHS:
        return True
    slashed = f"/{rel}"
    return any(infix in slashed for infix in _SKIPPED_INFIXES)


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
    # How the files were listed: ``git ls-files``, or a walk applying ``.gitignore`` itself.
    listing: Literal["git", "walk"] = "walk"
    # Code paths no rule could read, with why (over the hard ceiling, beyond the file-count
    # limit, unreadable); files that fail later say so on ``SourceFile.not_analysed``.
    not_analysed: dict[str, str] = field(default_factory=dict)
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

    @cached_property
    def route_words(self) -> frozenset[str] | None:
        """The words of ``config/routes.rb`` and the files it may ``draw``
        (``config/routes/*.rb``): a controller they never name has no route. None when
        the app has no routes file, or a catch-all route (``':controller(/:action)'``)
        reaches any controller by the URL."""
        main = self.get("config/routes.rb")
        if main is None:
            return None
        text = "\n".join([main.text, *(s.text for s in self.app_files("ruby",
                                                                     under="config/routes/"))])
        if re.search(r"[\"'/(]:controller\b", text):
            return None
        return frozenset(re.findall(r"\w+", text))

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

    def is_code_file(self, path: str) -> bool:
        """A Ruby, ERB or JavaScript file (by its app-relative name) in a code folder."""
        rel = self.app_relative(path)
        return rel is not None and classify(rel) in CODE_KINDS and self.is_code(path)

    def unanalysed_code(self) -> dict[str, str]:
        """Every code file of the app that no rule analysed, with the reason (RG113)."""
        found = {p: why for p, why in self.not_analysed.items()
                 if self.is_code_file(p) or (p.endswith("/") and self.is_code(p + "x"))}
        for path, source in self.files.items():
            if source.not_analysed and self.is_code_file(path):
                found.setdefault(path, source.not_analysed)
        return dict(sorted(found.items()))


def _git_files(root: Path) -> tuple[list[str] | None, str]:
    """Tracked plus untracked-not-ignored files, or None and why git could not list them.

    Only the repository's own ``.gitignore`` files exclude untracked files (not
    ``.git/info/exclude`` nor the user's global excludes file), so the listing does not
    depend on who runs rubygrade, and agrees with the ``.gitignore`` walk below.
    """
    if not (root / ".git").exists():
        return None, "not a git work tree"
    import subprocess  # only a git work tree needs it: a start-up cost of several milliseconds

    try:
        result = subprocess.run(
            # The repository's own .git/config is untrusted: core.fsmonitor names a command
            # that ``git ls-files`` would run while reading the index. Never let it.
            ["git", "-C", str(root), "-c", "core.fsmonitor=false", "ls-files", "-z",
             "--cached", "--others", "--exclude-per-directory=.gitignore"],
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except FileNotFoundError:
        return None, "git is not installed"
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"git could not be run ({type(exc).__name__})"
    if result.returncode != 0:
        return None, _git_refusal(root, result.stderr.decode("utf-8", errors="replace"))
    names = result.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return sorted({n for n in names if n}), ""


def _git_refusal(root: Path, stderr: str) -> str:
    """Why git refused, in one line that names no absolute path (reports stay portable)."""
    if "dubious ownership" in stderr:
        return "git refused the repository (dubious ownership)"
    line = next((x.strip() for x in stderr.splitlines() if x.strip()), "no message")
    for absolute in sorted({str(root.resolve()), str(root.absolute())}, key=len, reverse=True):
        line = line.replace(absolute, ".")
    return f"git failed: {line.removeprefix('fatal: ')[:200]}"


class _GitIgnore:
    """The ``.gitignore`` files of a walked tree, applied as git applies them (gitwildmatch).

    Deeper files override shallower ones; an ignored folder is not entered, so nothing
    inside it can be re-included (as in git).
    """

    MAX_BYTES = 1_000_000

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, IgnoreFile] = {}

    def read(self, rel_dir: str) -> None:
        file = self.root / rel_dir / ".gitignore" if rel_dir else self.root / ".gitignore"
        try:
            if file.stat().st_size > self.MAX_BYTES:
                return
            lines = file.read_bytes().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return
        self.files[rel_dir] = IgnoreFile(lines)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether the deepest ``.gitignore`` with a say on ``rel`` excludes it. Each folder
        above ``rel`` (``""`` for the root) is the text before one of its slashes, and
        ``rel`` as that folder sees it the text after."""
        files = self.files
        if not files:
            return False
        verdict = False
        tail = "/" if is_dir else ""
        slash = -1  # the root first: its folder is "" and it sees all of ``rel``
        while True:
            ignore_file = files.get(rel[:slash] if slash >= 0 else "")
            if ignore_file is not None:
                says = ignore_file.verdict(rel[slash + 1:] + tail)
                if says is not None:
                    verdict = says
            slash = rel.find("/", slash + 1)
            if slash < 0:
                return verdict


def _walk_files(root: Path, diagnostics: list[Diagnostic],
                unreadable: dict[str, str] | None = None) -> list[str]:
    """Every regular file below ``root`` that ``.gitignore`` keeps, never leaving the repository.

    Folders that cannot be listed go into ``unreadable`` (``"app/locked/"`` -> reason).
    """
    out: list[str] = []
    real_root = root.resolve()
    seen_dirs: set[str] = set()
    gitignore = _GitIgnore(root)

    def on_error(err: OSError) -> None:
        rel = os.path.relpath(err.filename, root) if err.filename else "?"
        diagnostics.append(Diagnostic(kind="skipped", path=safe_name(rel),
                                      message=f"unreadable: {err.strerror}"))
        if unreadable is not None and err.filename and rel != "." and not rel.startswith(".."):
            unreadable[safe_name(rel.replace(os.sep, "/")) + "/"] = f"folder unreadable: {err.strerror}"

    # The folders to visit, by the path os.walk gives each: its path from the root, its real
    # path, and whether it is reached through a symlink (only then can it leave the root).
    top = os.fspath(root)
    pending: dict[str, tuple[str, str, bool]] = {top: ("", os.path.realpath(top), True)}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=on_error):
        rel_dir, real, linked = pending.pop(dirpath)
        if real in seen_dirs or (linked and not _inside(Path(real), real_root)):
            if rel_dir:
                diagnostics.append(Diagnostic(kind="skipped", path=safe_name(rel_dir),
                                              message="symlinked folder leaves the repository or loops"))
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        if ".gitignore" in filenames:
            gitignore.read(rel_dir)
        kept = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if d in SKIPPED_DIRS or _skipped(rel + "/x") or gitignore.ignored(rel, is_dir=True):
                continue
            kept.append(d)
            pending[os.path.join(dirpath, d)] = (rel, *_real_child(dirpath, d, real))
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not gitignore.ignored(rel, is_dir=False):
                out.append(rel)
    return out


def _real_child(dirpath: str, name: str, real_parent: str) -> tuple[str, bool]:
    """The real path of the folder ``name`` in ``dirpath`` (real path ``real_parent``), and
    whether it is a symlink. A folder that is none is its parent's real path plus its
    name: one ``lstat``, where ``realpath`` takes one per part of the absolute path."""
    path = os.path.join(dirpath, name)
    if os.path.islink(path):
        return os.path.realpath(path), True
    return os.path.join(real_parent, name), False


# The errors ``Path.is_symlink()`` answers False for instead of raising (pathlib's own list).
_NO_SUCH_FILE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def _lstat(path: Path) -> os.stat_result | None:
    """``path.lstat()``, or None where ``Path.is_symlink()`` would say False for an error."""
    try:
        return path.lstat()
    except OSError as exc:
        if exc.errno not in _NO_SUCH_FILE:
            raise
        return None
    except ValueError:  # a name the file system cannot encode
        return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def looks_like_app(names: Collection[str], prefix: str) -> bool:
    """Whether the repo-relative folder ``prefix`` ("" for the root) holds a Rails app."""
    p = f"{prefix}/" if prefix else ""
    if f"{p}config/application.rb" in names:
        return True
    return f"{p}Gemfile" in names and any(n.startswith(f"{p}app/") for n in names)


def find_app_dir(root: Path, candidates: list[str]) -> str | None:
    """The Rails app folder: the root, or one folder down (a generated ``myapp/``)."""
    names = set(candidates)
    if looks_like_app(names, ""):
        return ""
    subfolders = sorted({n.split("/", 1)[0] for n in names if "/" in n})
    for sub in subfolders:
        if looks_like_app(names, sub):
            return sub
    return None


def app_root_of(start: Path, stop: Path) -> Path | None:
    """The nearest folder from ``start`` up to ``stop`` that holds a Rails app, on disk.

    A Rails app folder holds ``config/application.rb``, or a ``Gemfile`` beside an
    ``app/`` folder. ``start`` may be a file; the walk never goes above ``stop``.
    """
    stop = stop.resolve()
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    while True:
        if (here / "config" / "application.rb").is_file() or (
                (here / "Gemfile").is_file() and (here / "app").is_dir()):
            return here
        if here == stop or stop not in here.parents:
            return None
        here = here.parent


def _listing_note(is_git: bool, reason: str) -> Diagnostic:
    if is_git:
        text = ("file listing: git ls-files (tracked files, and untracked files that "
                ".gitignore does not exclude)")
    else:
        text = f"file listing: folder walk applying .gitignore files ({reason})"
    return Diagnostic(kind="project", message=text)


def load_project(path: str | Path, limits: Limits | None = None, app_dir: str | None = None) -> Project:
    """List the repository's files and find its Rails app. Raises ProjectError for bad paths.

    ``app_dir`` names the app folder (repo-relative) instead of looking for it at the
    root or one folder down; the pre-commit hook finds it from the staged files.
    """
    limits = limits or Limits()
    root = Path(path)
    if not root.exists():
        raise ProjectError(f"{path}: no such file or directory")
    if not root.is_dir():
        raise ProjectError(f"{path}: not a directory")
    if not os.access(root, os.R_OK | os.X_OK):
        raise ProjectError(f"{path}: permission denied")

    diagnostics: list[Diagnostic] = []
    not_analysed: dict[str, str] = {}
    listed, reason = _git_files(root)
    is_git = listed is not None
    if listed is None:
        listed = _walk_files(root, diagnostics, not_analysed)
    diagnostics.append(_listing_note(is_git, reason))
    real_root = root.resolve()

    files: dict[str, SourceFile] = {}
    parseable: list[SourceFile] = []
    oversized: list[SourceFile] = []
    for position, raw in enumerate(listed):
        if _skipped(raw):
            continue
        rel = safe_name(raw)  # the name in reports; ``raw`` is the name on disk
        if rel in files:
            diagnostics.append(Diagnostic(kind="skipped", path=rel,
                                          message="two file names print the same; kept the first"))
            continue
        if len(files) >= limits.max_files:
            diagnostics.append(Diagnostic(
                kind="limit", message=f"more than {limits.max_files} files; the rest were skipped"))
            # Not read, but remembered: code among them is reported (RG113), never silently lost.
            beyond = f"not read: beyond the {limits.max_files}-file limit"
            not_analysed.update((safe_name(r), beyond) for r in listed[position:] if not _skipped(r))
            break
        abspath = root / raw
        try:
            link = _lstat(abspath)
            if link is not None and S_ISLNK(link.st_mode) and \
                    not _inside(abspath.resolve(), real_root):
                diagnostics.append(Diagnostic(kind="skipped", path=rel,
                                              message="symlink leaves the repository; not followed"))
                continue
            # Not a link: its lstat is its stat (one system call per file, not three).
            stat = link if link is not None and not S_ISLNK(link.st_mode) else abspath.stat()
        except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on old Pythons
            why = getattr(exc, "strerror", None) or "symlink loop"
            diagnostics.append(Diagnostic(kind="skipped", path=rel, message=f"unreadable: {why}"))
            if isinstance(exc, PermissionError):  # a loop or a dangling link holds no code
                not_analysed[rel] = f"unreadable: {why}"
            continue
        if not S_ISREG(stat.st_mode):  # Path.is_file() of the stat just taken
            continue
        if stat.st_size > limits.max_file_bytes:
            files[rel] = SourceFile(path=rel, abspath=abspath, size=stat.st_size, kind="other",
                                    _data=b"")
            oversized.append(files[rel])
            continue
        files[rel] = SourceFile(path=rel, abspath=abspath, size=stat.st_size, kind="other")
        parseable.append(files[rel])

    if app_dir is None:
        found = find_app_dir(root, list(files))
    else:
        found = app_dir.strip("/")
        if not looks_like_app(files, found):
            raise ProjectError(f"{found or path}: not a Rails app folder (no config/application.rb, "
                               "no Gemfile beside app/)")
    project = Project(root=root, app_dir=found, files=files, diagnostics=diagnostics,
                      is_git=is_git, listing="git" if is_git else "walk", not_analysed=not_analysed)
    # Classify by app-relative path, so app/javascript/ is found in a nested app too;
    # files over the size limit are classified by _classify_oversized (app code is parsed
    # up to the hard ceiling, the rest is listed, never parsed).
    for source in parseable:
        source.kind = classify(project.app_relative(source.path) or source.path)
    for source in oversized:
        _classify_oversized(project, source, limits)
    _read_bundler_files(project)
    return project


def _classify_oversized(project: Project, source: SourceFile, limits: Limits) -> None:
    """A file over the size limit: app code is parsed up to the hard ceiling, the rest is not."""
    size, limit, ceiling = source.size, limits.max_file_bytes, limits.max_code_file_bytes
    over = f"file of {size} bytes is over the {limit}-byte limit"
    if not project.is_code_file(source.path):
        project.diagnostics.append(Diagnostic(kind="limit", path=source.path,
                                              message=f"{over}; not parsed"))
        return
    if size <= ceiling:
        source.kind = classify(project.app_relative(source.path) or source.path)
        source._data = None
        project.diagnostics.append(Diagnostic(
            kind="limit", path=source.path,
            message=f"{over}; parsed anyway, as app code is up to the {ceiling}-byte hard ceiling"))
        return
    project.not_analysed[source.path] = f"{size} bytes, over the {ceiling}-byte hard ceiling"
    project.diagnostics.append(Diagnostic(
        kind="limit", path=source.path,
        message=f"{over} and the {ceiling}-byte hard ceiling for app code; not parsed (RG113)"))


def _read_bundler_files(project: Project) -> None:
    lock = project.get("Gemfile.lock")
    if lock is not None and lock.text:
        project.lockfile = parse_lockfile(lock.text)
    gemfile = project.get("Gemfile")
    if gemfile is not None and gemfile.root is not None:
        project.gemfile = parse_gemfile(gemfile.root)
