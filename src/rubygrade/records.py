"""Frozen records: the base of rubygrade's typed vocabulary, with pydantic only at the edges.

Findings, reports, rubrics, briefs, configurations and catalogues are frozen, slotted
dataclasses that derive from :class:`Record`. Grading builds them directly: their values
come from rubygrade's own code or from files it ships, so validating them again on every
run would only cost time (importing pydantic and building its models was a third of a
small app's whole run; see docs/performance.md). Where data comes in from outside (a
stored report, a batch line, a repository's configuration, a user's rubric or brief, a
catalogue folder given on the command line), pydantic validates it against the same
classes, through a ``TypeAdapter`` built on first use, and writes their JSON schema.

The method names are pydantic's (``model_validate``, ``model_validate_json``,
``model_dump``, ``model_dump_json``, ``model_copy``, ``model_json_schema``), so callers
read the same either way. Field options pydantic knows (``description``, ``ge``, ``gt``,
``exclude``) go in ``dataclasses.field(metadata=...)``; construction checks the bounds and
turns plain values into the declared enums and floats, as validation did, so a record
built in code holds what a validated one would.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

if TYPE_CHECKING:
    from typing import Self

    from pydantic import TypeAdapter

Convert = Callable[[Any], Any]
T = TypeVar("T")


def _per_class(compute: Callable[[type], T]) -> Callable[[type], T]:
    """Memoise a function of a record class (its fields never change once it is defined)."""
    memo: dict[type, T] = {}

    def cached(cls: type) -> T:
        if cls not in memo:
            memo[cls] = compute(cls)
        return memo[cls]

    return cached


class Record:
    """A frozen dataclass of the vocabulary: dumps itself, validates input with pydantic."""

    __slots__ = ()
    #: read by pydantic when it validates the dataclass: unknown keys are errors
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def __post_init__(self) -> None:
        for name, convert, low, low_inclusive in _construction_plan(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            if convert is not None:
                value = convert(value)
                object.__setattr__(self, name, value)
            if low is not None and (value < low if low_inclusive else value <= low):
                sign = ">=" if low_inclusive else ">"
                raise ValueError(f"{type(self).__name__}.{name} must be {sign} {low}, got {value!r}")

    # -- in: validated -----------------------------------------------------------------
    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Validate plain data (parsed JSON or TOML) into this record; pydantic errors."""
        return _adapter(cls).validate_python(obj)  # type: ignore[no-any-return]

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Self:
        return _adapter(cls).validate_json(data)  # type: ignore[no-any-return]

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        return _adapter(cls).json_schema()

    # -- in: trusted -----------------------------------------------------------------
    @classmethod
    def from_trusted(cls, data: Mapping[str, Any]) -> Self:
        """Build from data rubygrade itself wrote or ships (tests validate those files).

        No validation beyond construction: nested records, enums and floats are built
        from their plain forms. Never use it for data from an analysed repository or
        a user's file: that goes through :meth:`model_validate`.
        """
        values = {}
        for name, convert in _trusted_plan(cls):
            if name in data:
                value = data[name]
                values[name] = value if convert is None or value is None else convert(value)
        return cls(**values)

    # -- out -------------------------------------------------------------------------
    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        return dataclasses.replace(self, **update) if update else self  # type: ignore[type-var]

    def model_dump(self, *, mode: Literal["python", "json"] = "python") -> dict[str, Any]:
        """Fields in declared order as plain data; ``mode="json"`` gives enums' values."""
        json_mode = mode == "json"
        return {name: _plain(getattr(self, name), json_mode) for name in _dumped_fields(type(self))}

    def model_dump_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=indent, ensure_ascii=False)


def _plain(value: Any, json_mode: bool) -> Any:
    if isinstance(value, Record):
        return value.model_dump(mode="json" if json_mode else "python")
    if isinstance(value, Enum):
        return value.value if json_mode else value
    if isinstance(value, list | tuple):
        return [_plain(item, json_mode) for item in value]
    if isinstance(value, dict):
        return {_plain(k, json_mode): _plain(v, json_mode) for k, v in value.items()}
    return value


@_per_class
def _adapter(cls: type) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


@_per_class
def _dumped_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                 if not f.metadata.get("exclude"))


@_per_class
def _hints(cls: type) -> dict[str, Any]:
    # A mixin's annotations (CatalogueLookup.classes) name types it imports only for type
    # checking: resolve every annotation in the record's own module as well.
    return typing.get_type_hints(cls, localns=vars(sys.modules[cls.__module__]))


@_per_class
def _construction_plan(cls: type) -> tuple[tuple[str, Convert | None, Any, bool], ...]:
    """Per field that needs it: the scalar conversion (enum, float) and the lower bound."""
    hints = _hints(cls)
    plan = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        convert = _scalar(_optional_inner(hints[f.name]))
        low, inclusive = (f.metadata["ge"], True) if "ge" in f.metadata else (
            f.metadata.get("gt"), False)
        if convert is not None or low is not None:
            plan.append((f.name, convert, low, inclusive))
    return tuple(plan)


@_per_class
def _trusted_plan(cls: type) -> tuple[tuple[str, Convert | None], ...]:
    hints = _hints(cls)
    return tuple((f.name, _converter(hints[f.name]))
                 for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def _optional_inner(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        parts = [a for a in get_args(tp) if a is not type(None)]
        if len(parts) == 1:
            return parts[0]
    return tp


def _scalar(tp: Any) -> Convert | None:
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if tp is float:
        return float
    return None


def _same(value: Any) -> Any:
    return value


def _converter(tp: Any) -> Convert | None:
    """How to build a field's value from its plain JSON form; None when it is already it."""
    tp = _optional_inner(tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        return tp.from_trusted
    origin = get_origin(tp)
    if origin is list:
        item = _converter(get_args(tp)[0])
        return list if item is None else (lambda v: [item(x) for x in v])
    if origin is dict:
        key_type, value_type = get_args(tp)
        key, value = _converter(key_type), _converter(value_type)
        if key is None and value is None:
            return dict
        k, v = key or _same, value or _same
        return lambda d: {k(a): v(b) for a, b in d.items()}
    return _scalar(tp)
