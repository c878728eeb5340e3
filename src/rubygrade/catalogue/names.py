"""A cross-version index of names: which catalogued releases have a method or a constant.

RG201/RG202/RG204 name the releases where a missing method or constant does
exist ("it exists in 1.10.0-1.16.0"). Answering that from the catalogues
means loading and validating all of them, most of a second per run; this
index (``api_signatures/ruby_llm/_names.json``, derived from the catalogues by
``scripts/build_catalogues.py`` and checked for staleness by a test) answers
it with one small file.

Keys are what the lookups resolve, not only what is written in one class:
``RubyLLM::Chunk#content`` is present because ``Chunk < Message``. Only names
the gem itself defines are listed; methods every Ruby object has resolve in
every version, so a name absent from the index that Ruby objects have falls
back to the full lookup.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path

from rubygrade.catalogue.model import Catalogue

INDEX_NAME = "_names.json"
FORMAT = 1


def _ranges(indices: list[int]) -> str:
    """[0, 1, 2, 5, 7, 8] -> "0-2,5,7-8": compact and diff-friendly."""
    parts: list[str] = []
    start = prev = indices[0]
    for i in indices[1:] + [None]:  # type: ignore[list-item]
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(f"{start}-{prev}" if prev != start else str(start))
        if i is not None:
            start = prev = i
    return ",".join(parts)


def _expand(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def _method_keys(catalogue: Catalogue) -> set[str]:
    keys: set[str] = set()
    for owner in catalogue.classes:
        candidates: set[str] = set()
        for anc in catalogue.ancestors(owner):
            info = catalogue.classes.get(anc)
            if info is not None:
                candidates.update(info.instance_methods)
        for name in candidates:
            if catalogue.find_method(owner, name) is not None:
                keys.add(f"{owner}#{name}")
        singleton: set[str] = set()
        for table in catalogue._singleton_tables(owner):
            singleton.update(table)
        for name in singleton:
            if catalogue.find_method(owner, name, singleton=True) is not None:
                keys.add(f"{owner}.{name}")
    return keys


def _constant_keys(catalogue: Catalogue) -> set[str]:
    keys = set(catalogue.classes)
    for parent in catalogue.classes:
        for anc in catalogue.ancestors(parent):
            info = catalogue.classes.get(anc)
            if info is None:
                continue
            shorts = set(info.constants) | {
                name.rpartition("::")[2] for name in catalogue.classes
                if name.rpartition("::")[0] == anc}
            keys.update(f"{parent}::{short}" for short in shorts)
    return {k for k in keys if catalogue.has_constant(k)}


def build_index(catalogues: list[Catalogue]) -> str:
    """The index file's text for ``catalogues`` (oldest first)."""
    methods: dict[str, list[int]] = defaultdict(list)
    constants: dict[str, list[int]] = defaultdict(list)
    for position, catalogue in enumerate(catalogues):
        for key in _method_keys(catalogue):
            methods[key].append(position)
        for key in _constant_keys(catalogue):
            constants[key].append(position)
    lines = ["{", f'"format": {FORMAT},',
             f'"versions": {json.dumps([c.version for c in catalogues])},', '"methods": {']
    lines.append(",\n".join(f"{json.dumps(k)}: {json.dumps(_ranges(v))}"
                            for k, v in sorted(methods.items())))
    lines.append('},\n"constants": {')
    lines.append(",\n".join(f"{json.dumps(k)}: {json.dumps(_ranges(v))}"
                            for k, v in sorted(constants.items())))
    lines.append("}\n}")
    return "\n".join(lines) + "\n"


class NameIndex:
    def __init__(self, data: dict[str, object]) -> None:
        self.versions: list[str] = list(data["versions"])  # type: ignore[call-overload]
        self._methods: dict[str, str] = data["methods"]  # type: ignore[assignment]
        self._constants: dict[str, str] = data["constants"]  # type: ignore[assignment]

    def _versions(self, spec: str | None) -> list[str]:
        return [self.versions[i] for i in _expand(spec)] if spec else []

    def method(self, owner: str, name: str, singleton: bool) -> list[str] | None:
        """Versions with the method; None when the index cannot say (not a gem-defined name)."""
        spec = self._methods.get(f"{owner.removeprefix('::')}{'.' if singleton else '#'}{name}")
        return self._versions(spec) if spec else None

    def constant(self, fqname: str) -> list[str]:
        return self._versions(self._constants.get(fqname.removeprefix("::")))


@cache
def load_index(directory: str) -> NameIndex | None:
    """The committed index of ``directory``, or None when absent or unreadable."""
    path = Path(directory) / INDEX_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return NameIndex(data)
