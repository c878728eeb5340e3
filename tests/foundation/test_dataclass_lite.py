"""``rubygrade.dataclass_lite.dataclass`` builds classes that behave as the stdlib's would.

Each test defines one class body twice, once with each decorator, and compares what the
two classes do: construction, defaults, repr, equality, hashing, immutability, and the
``dataclasses`` functions the code base uses on them.
"""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from collections.abc import Callable
from dataclasses import field
from functools import cached_property
from typing import Any, ClassVar

import pytest

from rubygrade import dataclass_lite

DECORATORS = {"stdlib": dataclasses.dataclass, "lite": dataclass_lite.dataclass}


def both(make: Callable[[Any], type]) -> tuple[type, type]:
    """The class ``make`` defines, built by the stdlib decorator and by the lite one."""
    return make(DECORATORS["stdlib"]), make(DECORATORS["lite"])


def _plain(deco: Any) -> type:
    @deco
    class Plain:
        """Fields of every kind the code base uses."""

        limit: ClassVar[int] = 3
        name: str
        line: int = 1
        tags: list[str] = field(default_factory=list)
        hidden: str = field(default="h", repr=False, compare=False)
        derived: dict[str, int] = field(default_factory=dict, init=False)

        @cached_property
        def upper(self) -> str:
            return self.name.upper()

    return Plain


def _frozen(deco: Any) -> type:
    @deco(frozen=True)
    class Frozen:
        """A frozen value."""

        path: str
        line: int
        what: tuple[str, ...] = ()
        note: str | None = field(default=None, compare=False)

        @cached_property
        def where(self) -> str:
            return f"{self.path}:{self.line}"

    return Frozen


def _keywords(deco: Any) -> type:
    @deco(kw_only=True)
    class Keywords:
        """Keyword-only fields."""

        a: int
        b: int = 2

    return Keywords


def _identity(deco: Any) -> type:
    @deco(eq=False)
    class Identity:
        """Compared by identity."""

        a: int

    return Identity


def _post_init(deco: Any) -> type:
    @deco
    class Counted:
        """Derives a field after __init__."""

        items: list[int]
        total: int = field(init=False, default=0)

        def __post_init__(self) -> None:
            self.total = sum(self.items)

    return Counted


def _own_methods(deco: Any) -> type:
    @deco
    class Own:
        """Defines its own repr and eq; the decorator keeps them."""

        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

    return Own


def test_init_defaults_and_factories() -> None:
    for cls in both(_plain):
        first, second = cls("x"), cls("y", 5, ["t"])
        assert (first.name, first.line, first.tags, first.hidden, first.derived) == ("x", 1, [], "h", {})
        assert (second.line, second.tags) == (5, ["t"])
        assert first.tags is not cls("z").tags  # a fresh list each time
        assert first.derived is not cls("z").derived
        assert first.upper == "X"
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):
            cls("x", derived={})
    std, lite = both(_plain)
    assert str(inspect.signature(std)) == str(inspect.signature(lite))
    assert std.__match_args__ == lite.__match_args__  # type: ignore[attr-defined]
    assert lite.limit == 3 and "limit" not in {f.name for f in dataclasses.fields(lite)}


def test_repr() -> None:
    std, lite = both(_plain)
    assert repr(lite("x", 2, ["a"])) == repr(std("x", 2, ["a"]))
    fstd, flite = both(_frozen)
    assert repr(flite("a.rb", 3, ("x",))) == repr(fstd("a.rb", 3, ("x",)))


def test_recursive_repr() -> None:
    for cls in both(_plain):
        obj = cls("x")
        obj.tags.append(obj)
        assert "tags=[...]" in repr(obj)


def test_equality_and_hash() -> None:
    for cls in both(_plain):
        assert cls("x", hidden="a") == cls("x", hidden="b")  # compare=False
        assert cls("x") != cls("x", 2)
        assert cls("x").__eq__(object()) is NotImplemented
        assert cls.__hash__ is None  # eq without frozen: unhashable, as the stdlib makes it
    std, lite = both(_frozen)
    for args in (("a.rb", 1), ("a.rb", 1, ("m",), "note")):
        assert lite(*args) == lite(*args) and hash(lite(*args)) == hash(std(*args))
    assert lite("a.rb", 1, note="x") == lite("a.rb", 1, note="y")
    assert {lite("a.rb", 1), lite("a.rb", 1), lite("b.rb", 1)} == {lite("a.rb", 1), lite("b.rb", 1)}
    for cls in both(_identity):
        one = cls(1)
        assert one != cls(1) and one == one and hash(one) == object.__hash__(one)


def test_frozen() -> None:
    for cls in both(_frozen):
        obj = cls("a.rb", 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.line = 2
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.other = 2
        with pytest.raises(dataclasses.FrozenInstanceError):
            del obj.line
        assert obj.where == "a.rb:1"  # cached_property writes the instance dict itself


@dataclass_lite.dataclass(frozen=True)
class Pickled:
    """At module level, so pickle can find it."""

    path: str
    line: int = 1


def test_frozen_pickles() -> None:
    obj = Pickled("a.rb")
    assert pickle.loads(pickle.dumps(obj)) == obj


def test_keyword_only_and_post_init() -> None:
    std, lite = both(_keywords)
    assert str(inspect.signature(std)) == str(inspect.signature(lite))
    assert lite(a=1).b == 2
    with pytest.raises(TypeError):
        lite(1)
    for cls in both(_post_init):
        assert cls([1, 2]).total == 3


def test_dataclasses_functions() -> None:
    std, lite = both(_frozen)
    obj = lite("a.rb", 1, ("m",))
    assert dataclasses.is_dataclass(obj)
    assert [f.name for f in dataclasses.fields(obj)] == [f.name for f in dataclasses.fields(std)]
    assert dataclasses.asdict(obj) == dataclasses.asdict(std("a.rb", 1, ("m",)))
    assert dataclasses.astuple(obj) == ("a.rb", 1, ("m",), None)
    moved = dataclasses.replace(obj, line=9)
    assert (moved.path, moved.line, obj.line) == ("a.rb", 9, 1)


def test_docstring() -> None:
    def undocumented(deco: Any) -> type:
        @deco
        class Bare:
            a: int
            b: list[int] = field(default_factory=list)

        return Bare

    std, lite = both(undocumented)
    assert lite.__doc__ == std.__doc__ == "Bare(a: 'int', b: 'list[int]' = <factory>)"
    assert both(_plain)[1].__doc__ == "Fields of every kind the code base uses."


def test_keeps_methods_the_class_defines() -> None:
    for cls in both(_own_methods):
        assert repr(cls(1)) == "own" and cls(1) == cls(2)


def test_refuses_dataclass_bases() -> None:
    @dataclasses.dataclass
    class Base:
        a: int

    with pytest.raises(TypeError):
        @dataclass_lite.dataclass
        class Derived(Base):
            b: int
