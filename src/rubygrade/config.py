"""Per-repository configuration: ``[tool.rubygrade]`` in ``pyproject.toml`` or ``.rubygrade.toml``.

A configuration file lives inside the analysed repository, which is untrusted:
it is read with ``tomllib`` and validated by pydantic into a strict record; it is data only.
Nothing in it can name a module, a plugin or a command, so it can never make
rubygrade import or run code. Relative ``rubric``/``brief`` paths resolve
against the repository root and must stay inside it.

This module also holds the loader shared by every TOML data file (rubric,
brief, config): an invalid file gets one message naming the file, the line
when it can be found, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rubygrade.models import Severity
from rubygrade.records import Record

if TYPE_CHECKING:
    from pydantic import ValidationError

M = TypeVar("M", bound=Record)

CONFIG_FILES = (".rubygrade.toml", "pyproject.toml")


class DataFileError(ValueError):
    """A data file that cannot be read or is invalid; the message names file, line and key."""


class FieldError(Exception):
    """A value of the right type that its field's own rule refuses (an unknown rule ID).

    Not a ``ValueError`` on purpose: pydantic turns those into errors located at the
    record, and this one must point at its field.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.field = name
        self.message = message


def _line_of_key(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a dotted key in TOML source (tables, then ``key =`` inside them)."""
    keys = [str(part) for part in loc if not isinstance(part, int)]
    lines = text.splitlines()
    start = 0
    # Find the deepest table header that is a prefix of the key path.
    for depth in range(len(keys), 0, -1):
        parts = [re.escape(k) for k in keys[:depth]]
        pattern = r"^\s*\[\[?\s*" + r"\s*\.\s*".join(f'(?:"{p}"|{p})' for p in parts) + r"\s*\]\]?\s*(#.*)?$"
        for number, line in enumerate(lines):
            if re.match(pattern, line):
                if depth == len(keys):
                    return number + 1
                start = number
                keys = keys[depth:]
                break
        else:
            continue
        break
    for number in range(start, len(lines)):
        line = lines[number]
        if number > start and line.lstrip().startswith("["):
            break
        if keys and re.match(rf'^\s*(?:"{re.escape(keys[0])}"|{re.escape(keys[0])})\s*=', line):
            return number + 1
    return start + 1 if start else None


def describe_validation_error(file: Path | str, text: str, exc: ValidationError | FieldError,
                              prefix: tuple[Any, ...] = ()) -> str:
    if isinstance(exc, FieldError):
        return _describe(file, text, (*prefix, exc.field), exc.message)
    first = exc.errors()[0]
    loc = prefix + tuple(p for p in first["loc"] if p != "[key]")  # pydantic marks bad dict keys
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "unexpected_keyword_argument":  # a record's word for an unknown key
        message = "Extra inputs are not permitted"
    return _describe(file, text, loc, message)


def _describe(file: Path | str, text: str, loc: tuple[Any, ...], message: str) -> str:
    where = ".".join(str(p) for p in loc) or "(top level)"
    line = _line_of_key(text, loc)
    at = f":{line}" if line else ""
    return f"{file}{at}: key {where!r}: {message}"


def validate(model: type[M], data: Any, file: Path | str, text: str,
             prefix: tuple[Any, ...] = ()) -> M:
    """``model`` validated from parsed TOML; every failure is a ``DataFileError`` naming the key."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except (ValidationError, FieldError) as exc:
        raise DataFileError(describe_validation_error(file, text, exc, prefix)) from None


def load_model(file: Path, model: type[M], what: str, *, shipped: bool = False) -> M:
    """Read a TOML file into ``model``; every failure becomes a ``DataFileError`` naming the file.

    ``shipped``: one of rubygrade's own data files, built without validation (the tests
    validate each of them), so grading with the defaults never imports pydantic.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{file}: cannot read {what}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{file}: cannot read {what}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{file}: invalid TOML: {exc}") from None
    if shipped:
        return model.from_trusted(data)
    return validate(model, data, file, text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Config(Record):
    """What a repository may tell rubygrade about itself. Every field is optional."""

    rubric: str | None = field(
        default=None,
        metadata={"description": "Rubric TOML path, relative to the repo root"})
    brief: str | None = field(
        default=None,
        metadata={"description": "Brief TOML path, relative to the repo root"})
    exclude: list[str] = field(
        default_factory=list,
        metadata={"description": "Repo-relative path prefixes or glob patterns whose findings are dropped"})
    disable: list[str] = field(default_factory=list, metadata={"description": "Rule IDs not to run"})
    severity: dict[str, Severity] = field(
        default_factory=dict,
        metadata={"description": "Severity overrides, rule ID -> error|warning|info"})
    source: str | None = field(
        default=None,
        metadata={"exclude": True, "description": "The file it came from"})
    base: str | None = field(
        default=None,
        metadata={"exclude": True,
                  "description": "Folder of a file given with --config: its paths resolve there, and "
                                 "may leave the repository (the user chose the file; a repository's "
                                 "own config may not)"})

    def __post_init__(self) -> None:
        super(Config, self).__post_init__()
        if self.disable:
            object.__setattr__(self, "disable", _known_rules(self.disable))
        if self.severity:
            _check_severity_rules(self.severity)

    def resolve(self, root: Path, relative: str) -> Path:
        """A path named by the config; a repository's config must stay inside the repository."""
        if self.base is not None:
            return (Path(self.base) / relative).resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root.resolve()):
            raise DataFileError(f"{self.source}: {relative!r} points outside the repository")
        return target


def _known_rules(value: list[str]) -> list[str]:
    """Rule IDs or prefixes (``RG4``) of this version; expanded to rule IDs."""
    from rubygrade.selection import SelectionError, expand

    for i, selector in enumerate(value):
        try:
            expand([selector])
        except SelectionError as exc:
            raise FieldError("disable", f"item {i}: {exc}") from None
    return expand(value)


def _check_severity_rules(value: dict[str, Severity]) -> None:
    from rubygrade.selection import problem

    for rule_id in value:
        why = problem(rule_id, prefixes=False)
        if why:
            raise FieldError("severity", why)


def key_line(root: str | Path, config: Config, key: str) -> int | None:
    """The line of ``key`` in the configuration file ``config`` was read from, if found."""
    if config.source is None:
        return None
    try:
        text = (Path(root) / config.source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    prefix = ("tool", "rubygrade") if Path(config.source).name == "pyproject.toml" else ()
    return _line_of_key(text, (*prefix, key))


def load_config_file(path: str | Path) -> Config:
    """A configuration file named on the command line (``--config FILE``).

    ``pyproject.toml`` is read for its ``[tool.rubygrade]`` table, any other file as a
    ``.rubygrade.toml``. Relative paths in it resolve against the file's folder.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{file}: cannot read the configuration: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{file}: cannot read the configuration: not UTF-8 text") from None
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{file}: invalid TOML: {exc}") from None
    prefix: tuple[str, ...] = ()
    if file.name == "pyproject.toml":
        data = data.get("tool", {}).get("rubygrade")
        prefix = ("tool", "rubygrade")
        if data is None:
            raise DataFileError(f"{file}: no [tool.rubygrade] table")
    if not isinstance(data, dict):
        raise DataFileError(f"{file}: [tool.rubygrade] must be a table")
    return validate(Config, {**data, "source": str(file), "base": str(file.resolve().parent)},
                    file, text, prefix)


def load_config(root: str | Path) -> Config:
    """The repository's configuration (``.rubygrade.toml`` wins over ``pyproject.toml``)."""
    base = Path(root)
    for name in CONFIG_FILES:
        file = base / name
        if not file.is_file():
            continue
        try:
            text = file.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise DataFileError(f"{file}: invalid configuration: {exc}") from None
        prefix: tuple[str, ...] = ()
        if name == "pyproject.toml":
            data = data.get("tool", {}).get("rubygrade")
            prefix = ("tool", "rubygrade")
            if data is None:
                continue
        if not isinstance(data, dict):
            raise DataFileError(f"{file}: [tool.rubygrade] must be a table")
        return validate(Config, {**data, "source": name}, file, text, prefix)
    return Config()
