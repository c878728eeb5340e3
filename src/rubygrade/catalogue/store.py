"""Reading and writing catalogue files, and choosing which release to grade against.

Catalogues live in ``api_signatures/ruby_llm/<version>.json`` (see
:func:`rubygrade.paths.catalogue_dir`). A graded repo names its gem version in
Gemfile.lock (exact) or Gemfile (a requirement); :func:`resolve_version` maps
that to a catalogued release and says, in ``note``, when it had to approximate.
Loading caches each file; a shipped catalogue is built as written (the tests validate
every one), a catalogue from any other folder is validated.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from rubygrade.catalogue.model import Catalogue, MethodSig
from rubygrade.catalogue.names import NameIndex, load_index
from rubygrade.lazyregex import lazy_compile
from rubygrade.paths import catalogue_dir
from rubygrade.records import Record

_METHOD_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(MethodSig) if f.default is not dataclasses.MISSING
}
_VERSION_FILE = re.compile(r"^(\d+(?:\.\d+)*)\.json$")


# -- versions -----------------------------------------------------------------
#: A version component longer than this is read as this cap: it is larger than any real
#: release number, and ``int()`` of a 5,000-digit string from a hostile lockfile raises.
_MAX_DIGITS = 18
_HUGE = 10**_MAX_DIGITS


def _number(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return _HUGE if len(digits) > _MAX_DIGITS else int(digits)


def version_key(version: str) -> tuple[int, ...]:
    """Numeric sort key; pre-release suffixes (``1.3.0rc1``) sort before the release."""
    parts: list[int] = []
    for piece in re.split(r"[.\-]", version.strip()):
        m = re.match(r"^(\d+)(.*)$", piece)
        if m is None:
            parts.append(-1)
            continue
        parts.append(_number(m.group(1)))
        if m.group(2):
            parts.append(-1)
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def available_versions(directory: Path | None = None) -> list[str]:
    """Catalogued versions, oldest first."""
    folder = directory or catalogue_dir()
    found = [m.group(1) for p in folder.glob("*.json") if (m := _VERSION_FILE.match(p.name))]
    return sorted(found, key=version_key)


# -- serialisation ------------------------------------------------------------
def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps_catalogue(catalogue: Catalogue) -> str:
    """Deterministic, diff-friendly JSON: one class field / one method per line."""
    data = catalogue.model_dump(mode="json")
    for cls in data["classes"].values():  # methods: only non-default fields, to stay short
        for table in ("instance_methods", "singleton_methods", "class_methods"):
            for name, sig in cls[table].items():
                cls[table][name] = {k: v for k, v in sig.items()
                                    if k in ("name", "params") or v != _METHOD_DEFAULTS.get(k)}
    lines = ["{"]
    top = sorted(data)
    for i, key in enumerate(top):
        comma = "," if i < len(top) - 1 else ""
        if key != "classes":
            lines.append(f"  {json.dumps(key)}: {_compact(data[key])}{comma}")
            continue
        lines.append('  "classes": {')
        names = sorted(data["classes"])
        for j, cname in enumerate(names):
            cls = data["classes"][cname]
            lines.append(f"    {json.dumps(cname)}: {{")
            fields = sorted(cls)
            for k, field in enumerate(fields):
                fcomma = "," if k < len(fields) - 1 else ""
                value = cls[field]
                if isinstance(value, dict) and value:
                    lines.append(f"      {json.dumps(field)}: {{")
                    mnames = sorted(value)
                    for m, mname in enumerate(mnames):
                        mcomma = "," if m < len(mnames) - 1 else ""
                        lines.append(
                            f"        {json.dumps(mname)}: {_compact(value[mname])}{mcomma}"
                        )
                    lines.append(f"      }}{fcomma}")
                else:
                    lines.append(f"      {json.dumps(field)}: {_compact(value)}{fcomma}")
            lines.append(f"    }}{',' if j < len(names) - 1 else ''}")
        lines.append(f"  }}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_catalogue(catalogue: Catalogue, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_catalogue(catalogue), encoding="utf-8")


def read_catalogue(path: Path) -> Catalogue:
    """A catalogue file, validated."""
    return Catalogue.model_validate_json(path.read_text(encoding="utf-8"))


@cache
def _load(directory: str, version: str) -> Catalogue:
    path = Path(directory) / f"{version}.json"
    if Path(directory) == catalogue_dir():
        return Catalogue.from_trusted(json.loads(path.read_text(encoding="utf-8")))
    return read_catalogue(path)


def load_catalogue(version: str, directory: Path | None = None) -> Catalogue:
    """The catalogue of ``version`` (cached). Raises ValueError for an unknown version."""
    folder = directory or catalogue_dir()
    if not (folder / f"{version}.json").is_file():
        raise ValueError(
            f"no ruby_llm catalogue for version {version!r}; available: "
            + ", ".join(available_versions(folder))
        )
    return _load(str(folder), version)


def load_all(directory: Path | None = None) -> list[Catalogue]:
    """Every catalogue, oldest first."""
    return [load_catalogue(v, directory) for v in available_versions(directory)]


# -- version resolution ---------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class VersionResolution(Record):
    """Which catalogue to use and why."""

    version: str | None
    source: Literal["override", "lockfile", "gemfile", "newest"]
    requested: str | None = None
    note: str | None = None


_REQ = lazy_compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*([0-9][0-9A-Za-z.\-]*)\s*$")


def parse_requirement(text: str) -> list[tuple[str, str]]:
    """``'~> 1.14, < 1.16'`` -> ``[('~>', '1.14'), ('<', '1.16')]``. Raises ValueError."""
    out: list[tuple[str, str]] = []
    for piece in text.strip().strip("'\"").split(","):
        piece = piece.strip().strip("'\"")
        if not piece:
            continue
        m = _REQ.match(piece)
        if m is None:
            raise ValueError(f"cannot parse version requirement {piece!r}")
        out.append((m.group(1) or "=", m.group(2)))
    return out


def _pad(key: tuple[int, ...], n: int) -> tuple[int, ...]:
    return key + (0,) * (n - len(key))


def _cmp(a: str, b: str) -> int:
    ka, kb = version_key(a), version_key(b)
    n = max(len(ka), len(kb))
    ka, kb = _pad(ka, n), _pad(kb, n)
    return (ka > kb) - (ka < kb)


def satisfies(version: str, requirement: list[tuple[str, str]]) -> bool:
    """RubyGems semantics for =, !=, >, <, >=, <=, ~> (pessimistic)."""
    for op, req in requirement:
        c = _cmp(version, req)
        if op == "=" and c != 0:
            return False
        if op == "!=" and c == 0:
            return False
        if op == ">" and c <= 0:
            return False
        if op == "<" and c >= 0:
            return False
        if op == ">=" and c < 0:
            return False
        if op == "<=" and c > 0:
            return False
        if op == "~>":
            nums = [_number(x) for x in re.findall(r"\d+", req)]
            if c < 0:
                return False
            prefix = nums[:-1] if len(nums) > 1 else nums
            upper = list(prefix)
            upper[-1] += 1
            if _cmp(version, ".".join(map(str, upper))) >= 0:
                return False
    return True


def _shown(version: str) -> str:
    return version if len(version) <= 40 else f"{version[:20]}... ({len(version)} characters)"


def _nearest_lower(version: str, versions: list[str]) -> tuple[str, str | None]:
    if version in versions:
        return version, None
    lower = [v for v in versions if _cmp(v, version) < 0]
    if lower:
        return lower[-1], (
            f"ruby_llm {_shown(version)} is not catalogued; using the nearest lower release "
            f"{lower[-1]}"
        )
    return versions[0], (
        f"ruby_llm {_shown(version)} is older than every catalogued release; using {versions[0]}"
    )


def resolve_version(
    locked: str | None = None,
    gemfile_requirement: str | None = None,
    override: str | None = None,
    *,
    directory: Path | None = None,
) -> VersionResolution:
    """Pick the catalogue for a repo: override > Gemfile.lock > Gemfile > newest."""
    versions = available_versions(directory)
    if override:
        if override not in versions:
            raise ValueError(
                f"unknown ruby_llm version {override!r}; available: {', '.join(versions)}"
            )
        return VersionResolution(version=override, source="override", requested=override)
    if not versions:
        return VersionResolution(version=None, source="newest", note="no catalogues available")
    if locked:
        chosen, note = _nearest_lower(locked.strip(), versions)
        return VersionResolution(version=chosen, source="lockfile", requested=locked, note=note)
    if gemfile_requirement and gemfile_requirement.strip():
        try:
            requirement = parse_requirement(gemfile_requirement)
        except ValueError as exc:
            return VersionResolution(
                version=versions[-1], source="newest", requested=gemfile_requirement,
                note=f"{exc}; using the newest catalogued release {versions[-1]}",
            )
        ok = [v for v in versions if satisfies(v, requirement)]
        if ok:
            return VersionResolution(
                version=ok[-1], source="gemfile", requested=gemfile_requirement
            )
        upper_only = [(op, v) for op, v in requirement if op in ("<", "<=")]
        below = [v for v in versions if satisfies(v, upper_only)] if upper_only else versions
        chosen = below[-1] if below else versions[0]
        return VersionResolution(
            version=chosen, source="gemfile", requested=gemfile_requirement,
            note=f"no catalogued release satisfies {gemfile_requirement!r}; using {chosen}",
        )
    return VersionResolution(version=versions[-1], source="newest")


# -- across versions ----------------------------------------------------------------
def _name_index(directory: Path | None) -> NameIndex | None:
    """The committed cross-version index, when it matches the catalogues on disk."""
    folder = directory or catalogue_dir()
    index = load_index(str(folder))
    if index is None or index.versions != available_versions(folder):
        return None
    return index


def versions_with_method(
    owner: str, name: str, singleton: bool = False, directory: Path | None = None
) -> list[str]:
    """Catalogued versions in which ``owner#name`` (or ``owner.name``) is public."""
    index = _name_index(directory)
    if index is not None:
        found = index.method(owner, name, singleton)
        if found is not None:
            return found
        from rubygrade.catalogue.builtins import is_builtin_name

        if not is_builtin_name(name):
            return []
    return [
        c.version for c in load_all(directory)
        if c.find_method(owner, name, singleton=singleton) is not None
    ]


def versions_with_constant(fqname: str, directory: Path | None = None) -> list[str]:
    """Catalogued versions in which the constant (class, module or value) exists."""
    index = _name_index(directory)
    if index is not None:
        return index.constant(fqname)
    return [c.version for c in load_all(directory) if c.has_constant(fqname)]
