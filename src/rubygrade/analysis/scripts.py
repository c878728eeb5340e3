"""Each file's JavaScript and what its fetch responses write into the page, once per run.

RG602 (a fetch response written into the page by hand) and RG801 (fetched data
interpolated into markup) read the same flows: a file's JavaScript tree, or the trees of a
template's inline ``<script>`` bodies, and :func:`jsflow.fetch_to_html` on each. Both
cost a walk per function and a parse per template; here each is done once.
"""

from __future__ import annotations

from tree_sitter import Node

from rubygrade.analysis.jsflow import Sink, fetch_to_html, inline_script_roots
from rubygrade.sources import SourceFile


class Scripts:
    """The script roots and fetch sinks of the files asked about, by path."""

    def __init__(self) -> None:
        self._roots: dict[str, list[Node]] = {}
        self._fetch_sinks: dict[tuple[str, int], list[Sink]] = {}

    def roots(self, source: SourceFile) -> list[Node]:
        """A JavaScript file's tree, or a template's inline script trees (none for other
        files, or a JavaScript file that did not parse)."""
        known = self._roots.get(source.path)
        if known is None:
            if source.kind == "javascript":
                known = [source.root] if source.root is not None else []
            elif source.kind == "erb":
                known = inline_script_roots(source.html_text())
            else:
                known = []
            self._roots[source.path] = known
        return known

    def fetch_sinks(self, source: SourceFile, index: int) -> list[Sink]:
        """:func:`fetch_to_html` of the file's ``index``-th script root (read, do not change)."""
        key = (source.path, index)
        known = self._fetch_sinks.get(key)
        if known is None:
            known = self._fetch_sinks[key] = fetch_to_html(self.roots(source)[index])
        return known
