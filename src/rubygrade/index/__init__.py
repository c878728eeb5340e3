"""The index: facts from every Ruby and ERB tree of the app, built once, queried by every check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from rubygrade.index.model import Assignment, CallSite, ClassDef, MethodDef
from rubygrade.index.ruby import RubyIndexer
from rubygrade.models import Diagnostic
from rubygrade.timings import timed_cached_property
from rubygrade.treeutil import forget_parents, gc_paused

if TYPE_CHECKING:
    from rubygrade.callgraph import CallGraph
    from rubygrade.project import Project
    from rubygrade.sources import SourceFile

_T = TypeVar("_T")
_K = TypeVar("_K", bound=Hashable)

__all__ = ["Index"]


class Index:
    """Classes, methods, call sites and writes across the app's Ruby and ERB files."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.classes: list[ClassDef] = []
        self.methods: list[MethodDef] = []
        self.calls: list[CallSite] = []
        self.assignments: list[Assignment] = []
        #: Callback and helper macro calls of class bodies, in index order (``FileFacts.macros``)
        self.macros: list[CallSite] = []
        #: Calls on a constant receiver, in index order (``FileFacts.calls_on_constants``)
        self.calls_on_constants: list[CallSite] = []
        self.diagnostics: list[Diagnostic] = []  # where indexing bounded itself
        self._calls_by_name: dict[str, list[CallSite]] = defaultdict(list)
        # path -> where its calls sit in ``calls`` (start, end): a file's calls are added
        # together, so its slice is known as it is added, at no cost per call.
        self._call_slices: dict[str, tuple[int, int]] = {}
        self._methods_by_name: dict[str, list[MethodDef]] = defaultdict(list)
        self._classes_by_name: dict[str, list[ClassDef]] = defaultdict(list)
        forget_parents()  # links recorded for the previous index's trees
        with gc_paused():
            for source in sorted(project.files.values(), key=lambda s: s.path):
                if source.kind in ("ruby", "erb"):
                    self._add(source)

    def _add(self, source: SourceFile) -> None:
        root = source.root
        if root is None:
            return
        facts = RubyIndexer(source.path).index(root)
        self.classes += facts.classes
        self.methods += facts.methods
        start = len(self.calls)
        self.calls += facts.calls
        if facts.calls:
            self._call_slices[source.path] = (start, len(self.calls))
        self.assignments += facts.assignments
        self.macros += facts.macros
        self.calls_on_constants += facts.calls_on_constants
        self.diagnostics += facts.notes
        for call in facts.calls:
            self._calls_by_name[call.method].append(call)
        for method in facts.methods:
            self._methods_by_name[method.name].append(method)
        for cls in facts.classes:
            self._classes_by_name[cls.name].append(cls)

    # -- queries -----------------------------------------------------------------
    def calls_named(self, *names: str) -> Iterator[CallSite]:
        for name in names:
            yield from self._calls_by_name.get(name, ())

    def calls_in(self, path: str) -> list[CallSite]:
        """The calls of one file, in index order."""
        start, end = self._call_slices.get(path, (0, 0))
        return self.calls[start:end]

    def calls_by_file(self) -> Iterator[tuple[str, list[CallSite]]]:
        """(path, its calls) for each file with calls, in index order (by path): a pass that
        wants some files' calls skips the others' without looking at each call."""
        calls = self.calls
        for path, (start, end) in self._call_slices.items():
            yield path, calls[start:end]

    def methods_named(self, name: str) -> list[MethodDef]:
        return self._methods_by_name.get(name, [])

    def class_defs(self, name: str) -> list[ClassDef]:
        return self._classes_by_name.get(name, [])

    def methods_of(self, owner: str, singleton: bool | None = None) -> list[MethodDef]:
        return [m for m in self._by_owner.get(owner, ()) if
                singleton is None or m.singleton == singleton]

    def superclass_of(self, name: str) -> str | None:
        for cls in self.class_defs(name):
            if cls.superclass:
                # the superclass is looked up around the class, never in it: in
                # ``class Settings::ApplicationController < ApplicationController`` it is
                # the top-level ApplicationController
                outer = name.rsplit("::", 1)[0] if "::" in name else None
                parent = self.resolve_constant(cls.superclass, outer)
                return cls.superclass.removeprefix("::") if parent == name else parent
        return None

    def ancestors(self, name: str) -> list[str]:
        """``name`` and its superclasses known to the app (by short or full name), nearest first."""
        chain = [name]
        seen = {name}
        current = name
        while True:
            parent = self.superclass_of(current)
            if parent is None or parent in seen:
                break
            chain.append(parent)
            seen.add(parent)
            current = parent
        return chain

    def includes_of(self, name: str) -> list[str]:
        return [inc for cls in self.class_defs(name) for inc in cls.includes]

    def resolve_constant(self, written: str, context: str | None) -> str:
        """Resolve a constant as written inside ``context`` the way Ruby's lexical lookup would,
        as far as the app's own classes tell; otherwise return it as written."""
        written = written.removeprefix("::")
        if context:
            parts = context.split("::")
            while parts:
                candidate = "::".join(parts + [written])
                if candidate in self._classes_by_name:
                    return candidate
                parts.pop()
        return written

    def assignments_to(self, target: str, name: str | None = None) -> Iterable[Assignment]:
        if name is not None:
            return iter(self._assignments_by_name.get((target, name), ()))
        return iter(self._assignments_by_target.get(target, ()))

    def assignments_in(self, path: str, method: MethodDef | None, target: str,
                       name: str) -> list[Assignment]:
        """Writes to ``name`` (a ``target`` kind) made in ``method`` of ``path`` (``None``:
        outside any method), in index order: one lookup instead of a scan of every write of
        that name in the app."""
        return self._assignments_by_scope.get((path, id(method) if method else 0, target, name),
                                              [])

    def classes_in(self, path: str) -> list[ClassDef]:
        """The class and module bodies of one file, in index order."""
        return self._classes_by_path.get(path, [])

    def local_assignments(self, method: MethodDef | None, path: str,
                          name: str) -> list[Assignment]:
        """Writes to local ``name`` in ``method`` (or at the top level of ``path``)."""
        return self._locals.get((id(method) if method is not None else path, name), [])

    def calls_within(self, method: MethodDef) -> list[CallSite]:
        return list(self._calls_by_method.get(id(method), ()))

    def method_at(self, path: str, line: int) -> MethodDef | None:
        best = None
        for m in self._methods_by_path.get(path, ()):
            if m.line <= line <= m.end_line and (best is None or m.line >= best.line):
                best = m
        return best

    # Lookup tables for the queries above, built on first use: the queries are called per
    # call site or per method by many checks, and a linear scan each time is quadratic on
    # a large app. Each keeps the index's own order, so results are unchanged.
    @cached_property
    def _by_owner(self) -> dict[str, list[MethodDef]]:
        return _group(self.methods, lambda m: m.owner)

    @cached_property
    def _methods_by_path(self) -> dict[str, list[MethodDef]]:
        return _group(self.methods, lambda m: m.path)

    @cached_property
    def _assignments_by_target(self) -> dict[str, list[Assignment]]:
        return _group(self.assignments, lambda a: a.target)

    @cached_property
    def _assignments_by_name(self) -> dict[tuple[str, str], list[Assignment]]:
        return _group(self.assignments, lambda a: (a.target, a.name))

    @cached_property
    def _assignments_by_scope(self) -> dict[tuple[str, int, str, str], list[Assignment]]:
        return _group(self.assignments, lambda a: (
            a.path, id(a.enclosing_method) if a.enclosing_method else 0, a.target, a.name))

    @cached_property
    def _classes_by_path(self) -> dict[str, list[ClassDef]]:
        return _group(self.classes, lambda c: c.path)

    @cached_property
    def _locals(self) -> dict[tuple[int | str, str], list[Assignment]]:
        return _group((a for a in self.assignments if a.target == "local"),
                      lambda a: (id(a.enclosing_method) if a.enclosing_method is not None
                                 else a.path, a.name))

    @cached_property
    def _calls_by_method(self) -> dict[int, list[CallSite]]:
        # Keyed by identity: MethodDef compares by identity (eq=False), and a method with no
        # calls is simply absent.
        return _group((c for c in self.calls if c.enclosing_method is not None),
                      lambda c: id(c.enclosing_method))

    def _structural_call_graph(self) -> CallGraph:
        from rubygrade.callgraph import CallGraph

        return CallGraph(self)

    #: The call graph without the value flow's receiver roles, which the value flow itself
    #: resolves call sites with (``Analyses.call_graph`` is the one the rules use).
    call_graph = timed_cached_property(_structural_call_graph, name="call_graph (structural)")


def _group(items: Iterable[_T], key: Callable[[_T], _K]) -> dict[_K, list[_T]]:
    out: dict[_K, list[_T]] = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return dict(out)
