"""A pattern from ``lazy_compile`` answers as ``re.compile`` of it would, compiling on first use."""

from __future__ import annotations

import re

from rubygrade.lazyregex import lazy_compile

TEXT = "session[:messages] << msg; MAX_TURNS = 5\nsession[:history]"


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


def test_compiles_on_first_use_only() -> None:
    lazy = lazy_compile(r"session\[:(\w+)\]")
    assert lazy._compiled is None
    lazy.search(TEXT)
    first = lazy._compiled
    lazy.search(TEXT)
    assert first is not None and lazy._compiled is first


def test_methods_agree_with_re() -> None:
    source, flags = r"session\[:(\w+)\]|max_\w+", re.I
    eager, lazy = re.compile(source, flags), lazy_compile(source, flags)
    assert lazy.pattern == eager.pattern
    assert lazy.search(TEXT, 3).span() == eager.search(TEXT, 3).span()  # type: ignore[union-attr]
    assert lazy.match(TEXT).span() == eager.match(TEXT).span()  # type: ignore[union-attr]
    assert lazy.match(TEXT, 1) is None and eager.match(TEXT, 1) is None
    assert lazy.fullmatch("session[:x]") is not None and lazy.fullmatch(TEXT) is None
    assert _spans(lazy.finditer(TEXT)) == _spans(eager.finditer(TEXT))
    assert lazy.findall(TEXT) == eager.findall(TEXT)
    assert lazy.sub("X", TEXT, 1) == eager.sub("X", TEXT, 1)
    assert lazy.sub(lambda m: m.group(0).upper(), TEXT) == eager.sub(lambda m: m.group(0).upper(), TEXT)


def test_bytes_patterns() -> None:
    eager, lazy = re.compile(rb"(?=fetch|axios)"), lazy_compile(rb"(?=fetch|axios)")
    data = b"fetch(url); axios.get(u); fetch(x)"
    assert [m.start() for m in lazy.finditer(data)] == [m.start() for m in eager.finditer(data)]
