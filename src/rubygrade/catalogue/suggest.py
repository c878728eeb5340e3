"""What a catalogue offers in place of a name it lacks, as the text a finding carries.

The API rules put these facts into ``Finding.data`` (``signature``, ``nearest``),
so a renderer can explain a finding from the report alone, without the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rubygrade.catalogue.model import Catalogue, MethodSig

#: Separates several names in one ``Finding.data`` value (signatures contain commas).
SEPARATOR = "; "
_PARAM = {"req": "{n}", "opt": "{n} = …", "rest": "*{n}", "keyreq": "{n}:", "key": "{n}: …",
          "keyrest": "**{n}", "block": "&{n}", "nokey": "**nil"}


def signature(sig: MethodSig) -> str:
    """``ask(message = …, with: …, &block)``."""
    params = ", ".join(_PARAM.get(p.kind, "{n}").format(n=p.name.lstrip("*&")) for p in sig.params)
    return f"{sig.name}({params})"


def nearest_methods(catalogue: Catalogue, owner: str, name: str, singleton: bool = False) -> str:
    """The signatures of up to three public methods of ``owner`` spelt like ``name``."""
    methods = catalogue.public_methods(owner, singleton)
    close = _close_matches(name, sorted(methods), n=3, cutoff=0.5)
    return SEPARATOR.join(signature(methods[n]) for n in close)


def nearest_constants(catalogue: Catalogue, name: str) -> str:
    """Up to two catalogued class or module names spelt like ``name``."""
    return SEPARATOR.join(_close_matches(name, sorted(catalogue.classes), n=2, cutoff=0.6))


def _close_matches(word: str, choices: list[str], n: int, cutoff: float) -> list[str]:
    import difflib  # only a finding that names an unknown method or constant needs it

    return difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)
