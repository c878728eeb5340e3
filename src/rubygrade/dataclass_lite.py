"""``@dataclass`` for rubygrade's internal value classes: the stdlib's, quicker to define.

The stdlib decorator writes a class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``
and, for a frozen class, ``__setattr__`` and ``__delattr__`` as source text and compiles
each with ``exec``: 0.2-0.4 ms a class, and a grading run defines some seventy of them
before it reads a file. Here only ``__init__``, whose signature is the class's own, is
compiled; the other methods are closures over the field names that do what the stdlib's
do (``tests/foundation/test_dataclass_lite.py`` compares the two).

:func:`dataclasses.dataclass` still collects the fields (told to generate nothing), so
``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` work as for any
dataclass; ``__dataclass_params__`` says only that it generated nothing. Only what the
internal classes use is supported: ``frozen``, ``eq`` and ``kw_only``; no ``slots``, no
``order``, no ``InitVar`` and no dataclass base classes. The validated records
(:mod:`rubygrade.records`) stay stdlib dataclasses.
"""

from __future__ import annotations

import dataclasses
import inspect
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")


class _Factory:
    """The ``__init__`` default of a field with a default_factory: "call the factory"."""

    def __repr__(self) -> str:
        return "<factory>"  # as the stdlib's signatures show it


_FACTORY = _Factory()


@overload
@dataclass_transform(field_specifiers=(dataclasses.field, Field))
def dataclass(cls: type[_T], /) -> type[_T]: ...


@overload
def dataclass(*, frozen: bool = False, eq: bool = True,
              kw_only: bool = False) -> Callable[[type[_T]], type[_T]]: ...


def dataclass(cls: type[_T] | None = None, /, *, frozen: bool = False, eq: bool = True,
              kw_only: bool = False) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """``dataclasses.dataclass(cls, frozen=..., eq=..., kw_only=...)``, built quicker."""

    def wrap(cls: type[_T]) -> type[_T]:
        return _build(cls, frozen=frozen, eq=eq, kw_only=kw_only)

    return wrap if cls is None else wrap(cls)


def _build(cls: type[_T], *, frozen: bool, eq: bool, kw_only: bool) -> type[_T]:
    if any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: dataclass_lite does not support dataclass bases")
    documented = bool(cls.__dict__.get("__doc__"))
    dataclasses.dataclass(cls, init=False, repr=False, eq=False, kw_only=kw_only)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [f.name for f in fields]
    _set(cls, "__init__", _init(cls, fields, frozen))
    if not documented:  # the stdlib's docstring, from the __init__ it would have made
        cls.__doc__ = f"{cls.__name__}{inspect.signature(cls)}".replace(" -> None", "")
    _set(cls, "__repr__", _repr([f.name for f in fields if f.repr]))
    if eq:
        compared = _values([f.name for f in fields if f.compare])
        _set(cls, "__eq__", _eq(compared))
        if frozen:  # the stdlib's rule: eq and frozen hash the fields, eq alone is unhashable
            if "__hash__" in cls.__dict__ and cls.__dict__["__hash__"] is not None:
                raise TypeError(f"Cannot overwrite attribute __hash__ in class {cls.__name__}")
            hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
            cls.__hash__ = _hash(_values(hashed))  # type: ignore[assignment]
        elif "__hash__" not in cls.__dict__:
            cls.__hash__ = None  # type: ignore[assignment]
    if frozen:
        for name, method in (("__setattr__", _frozen_setattr(cls, names)),
                             ("__delattr__", _frozen_delattr(cls, names))):
            if name in cls.__dict__:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
            _set(cls, name, method)
    return cls


def _set(cls: type, name: str, method: Callable[..., Any]) -> None:
    """Add ``method`` unless the class defines its own (as the stdlib does)."""
    if name in cls.__dict__:
        return
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _init(cls: type, fields: tuple[Field[Any], ...], frozen: bool) -> Callable[..., None]:
    """The one compiled method: the stdlib's ``__init__`` for these fields, written the same way."""
    namespace: dict[str, Any] = {"MISSING": MISSING, "_FACTORY": _FACTORY,
                                 "_object_setattr": object.__setattr__}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields:
        default = f"_dflt_{f.name}"
        if f.default_factory is not MISSING:
            namespace[default] = f.default_factory
            value = f"{default}() if {f.name} is _FACTORY else {f.name}" if f.init else f"{default}()"
            param = f"{f.name}=_FACTORY"
        elif f.init:
            value = f.name
            param = f.name
            if f.default is not MISSING:
                namespace[default] = f.default
                param = f"{f.name}={default}"
        else:
            continue  # the class attribute holds the default
        if f.init:
            (keyword if f.kw_only else positional).append(param)
        body.append(f"_object_setattr(self, {f.name!r}, {value})" if frozen
                    else f"self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}):\n" + "".join(f"    {line}\n" for line in body or ["pass"])
    exec(source, namespace)  # noqa: S102 - our own text, as the stdlib does
    init: Callable[..., None] = namespace["__init__"]
    init.__annotations__ = {**{f.name: f.type for f in fields if f.init}, "return": None}
    return init


def _values(names: list[str]) -> Callable[[object], tuple[Any, ...]]:
    """A function giving an object's values of ``names``, always as a tuple."""
    if len(names) == 1:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


def _repr(names: list[str]) -> Callable[[object], str]:
    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object, object], Any]:
    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__


def _frozen_setattr(cls: type[Any], names: list[str]) -> Callable[[object, str, object], None]:
    fields = frozenset(names)

    def __setattr__(self: object, name: str, value: object) -> None:
        if type(self) is cls or name in fields:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: type[Any], names: list[str]) -> Callable[[object, str], None]:
    fields = frozenset(names)

    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in fields:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__
