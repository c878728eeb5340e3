"""Text from the analysed repository made safe to print and to serialise.

File names are bytes on disk. Python decodes the undecodable ones with
``surrogateescape`` (``b"\\xff"`` becomes ``"\\udcff"``), which no UTF-8 writer
and no JSON reader accepts. ``safe_name`` turns those into the visible escape
``\\xff``, once, when the repository is listed, so every path in a report is
valid Unicode. ``printable`` additionally escapes control characters for a
terminal (a file named ``"a\\x1b[2Jb.rb"`` must not clear the screen).
"""

from __future__ import annotations

import re
from typing import Any

from rubygrade.lazyregex import lazy_compile

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = lazy_compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that surrogateescape could not decode
        return f"\\x{code - 0xDC00:02x}"
    return "\ufffd"


def safe_name(name: str) -> str:
    """``name`` as valid Unicode: surrogate-escaped bytes become ``\\xNN``."""
    if not _SURROGATE.search(name):
        return name
    return _SURROGATE.sub(_escape_surrogate, name)


def printable(text: str) -> str:
    """``text`` for a terminal: surrogates and control characters as ``\\xNN`` escapes."""
    text = safe_name(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def no_surrogates(text: str) -> str:
    """Finished output (JSON, SARIF, text) that a UTF-8 writer accepts: any lone surrogate left
    is replaced by U+FFFD (a ``\\xNN`` escape could break the JSON string it sits in)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def sanitise(value: Any) -> Any:
    """A JSON-ready value (dicts, lists, strings) with every string made valid Unicode."""
    if isinstance(value, str):
        return safe_name(value)
    if isinstance(value, dict):
        return {safe_name(k) if isinstance(k, str) else k: sanitise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sanitise(v) for v in value]
    return value
