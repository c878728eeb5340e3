"""Regular expressions compiled when first used rather than when their module is imported.

``re.compile`` runs sre's compiler, which is pure Python: 0.05-0.3 ms for one of
rubygrade's patterns, and a grading run imports more than a hundred of them. Many serve
checks that most repositories never reach (suppression comments, forged sessions, secrets
in a compose file, markdown rendered in JavaScript), so such a pattern is declared with
:func:`lazy_compile` and costs nothing in a run that does not use it.

The compiled pattern is kept on the :class:`LazyPattern`: it is a pure function of the
pattern's text, the same in every run, so nothing can leak from one repository to the next.
A pattern every run uses stays a plain ``re.compile``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, AnyStr, Generic


class LazyPattern(Generic[AnyStr]):
    """The methods of ``re.Pattern`` that rubygrade uses, compiling the pattern on first call."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: AnyStr, flags: int = 0) -> None:
        self._source: AnyStr = source
        self._flags = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    @property
    def compiled(self) -> re.Pattern[AnyStr]:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    @property
    def pattern(self) -> AnyStr:
        return self._source

    def search(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[AnyStr]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def sub(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr,
            count: int = 0) -> AnyStr:
        return self.compiled.sub(repl, string, count)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source!r}, {self._flags!r})"


def lazy_compile(source: AnyStr, flags: int = 0) -> LazyPattern[AnyStr]:
    """``re.compile(source, flags)``, done the first time the pattern is used."""
    return LazyPattern(source, flags)
