"""Process-local state: stores that live in one Ruby process (RG501, RG805).

A store is state only when the app writes it while serving requests, so each
shape needs a write in a method that a controller action, job or channel
reaches in the call graph: a mutation (``X[k] = v``, ``<<``, ``push``,
``merge!`` ...) or an assignment; or a RubyLLM chat memoised at class level,
shared by every request. A frozen constant, a memoised client, configuration
or a registry filled while classes load is not state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.values import Scope, ValueFlow
from rubygrade.index.model import Assignment, MethodDef

if TYPE_CHECKING:
    from rubygrade.index import Index
    from rubygrade.project import Project

MUTATORS = {"push", "append", "store", "delete", "clear", "merge!", "update", "concat",
            "unshift", "prepend", "shift", "pop", "put", "compute_if_absent", "put_if_absent",
            "delete_if", "reject!", "select!", "keep_if", "replace", "insert", "add",
            "[]=", "fetch_or_store", "transform_values!", "slice!", "<<"}
_COLLECTION_CTORS = ("Hash.new", "Array.new", "Set.new", "Concurrent::Hash.new",
                     "Concurrent::Map.new", "Concurrent::Array.new", "ThreadSafe::")
_STATE_DIRS = ("app/", "lib/")
_HARMLESS_GLOBALS = {"$stdout", "$stderr", "$stdin", "$PROGRAM_NAME", "$0", "$VERBOSE",
                     "$DEBUG", "$LOAD_PATH", "$redis"}


@dataclass(frozen=True)
class StateSite:
    shape: str  # class_ivar, class_variable, mutable_constant, global, singleton, class_chat
    name: str
    owner: str
    path: str
    line: int
    how: str  # what makes it state, for the message


def mutable_literal(node: Node | None) -> bool:
    """``{}``, ``[]``, ``Hash.new``, ``Set.new``... not followed by ``.freeze``."""
    if node is None:
        return False
    if node.type in ("hash", "array"):
        return True
    text = treeutil.text(node)
    return node.type == "call" and text.startswith(_COLLECTION_CTORS) and \
        not text.rstrip().endswith((".freeze", ".freeze()"))


Mutations = dict[str, list[tuple[str, int, bool]]]


class _StateScan:
    """The facts one state search needs: the project, the index, what requests reach."""

    def __init__(self, project: Project, index: Index, reachable: set[str]) -> None:
        self.project = project
        self.index = index
        self.reachable = reachable

    def at_run_time(self, method: MethodDef | None) -> bool:
        return method is not None and method.kind == "def" and method.key in self.reachable

    def load_time_registrar(self, method: MethodDef) -> bool:
        """``Registry.register(Foo)`` called in class bodies or at file level fills a registry
        while classes load; a later request only reads it."""
        for call in self.index.calls_named(method.name):
            if call.enclosing_method is not None or self.project.is_test(call.path):
                continue
            const = call.receiver_constant
            if const is not None and self.index.resolve_constant(const, call.enclosing_class) \
                    .removeprefix("::") == method.owner:
                return True
        return False

    def rel(self, path: str) -> str:
        return self.project.app_relative(path) or ""


def _mutations(scan: _StateScan) -> Mutations:
    """Receiver text -> [(path, line, in a singleton method)] for every in-place write made
    by a method that request handling reaches."""
    out: Mutations = defaultdict(list)

    for path, source in sorted(scan.project.files.items()):
        rel = scan.rel(path)
        if source.kind != "ruby" or not rel.startswith(_STATE_DIRS) or source.root is None:
            continue
        for node in treeutil.walk(source.root):
            target: Node | None = None
            operator = node.child_by_field_name("operator") if node.type == "binary" else None
            if operator is not None and treeutil.text(operator) == "<<":
                target = node.child_by_field_name("left")
            elif node.type == "call" and \
                    treeutil.text(node.child_by_field_name("method")) in MUTATORS:
                target = node.child_by_field_name("receiver")
            elif node.type in ("assignment", "operator_assignment"):
                left = node.child_by_field_name("left")
                if left is not None and left.type == "element_reference":
                    target = left
            while target is not None and target.type == "element_reference" and \
                    target.named_children:
                target = target.named_children[0]  # ``@store[id] << x`` writes ``@store``
            if target is not None:
                line = treeutil.line_of(node)
                method = scan.index.method_at(path, line)
                if method is not None and scan.at_run_time(method) and \
                        not scan.load_time_registrar(method):
                    out[treeutil.text(target)].append((path, line, method.singleton))
    return out


def _mutated(mutations: Mutations, name: str,
             class_level: bool | None = None) -> tuple[str, int] | None:
    for text, sites in sorted(mutations.items()):
        if text == name or text.endswith("::" + name):
            for path, line, singleton in sites:
                if class_level is None or singleton == class_level:
                    return path, line
    return None


def find_state(project: Project, index: Index, types: ValueFlow,
               reachable: set[str]) -> list[StateSite]:
    """Every process-local store the app writes while serving requests."""
    scan = _StateScan(project, index, reachable)
    mutations = _mutations(scan)
    found: dict[tuple[str, str], StateSite] = {}

    def add(site: StateSite) -> None:
        found.setdefault((site.owner, site.name), site)

    for a in sorted(index.assignments, key=lambda a: (a.path, a.line)):
        if not scan.rel(a.path).startswith(_STATE_DIRS):
            continue
        owner = a.enclosing_class or ""
        in_method = scan.at_run_time(a.enclosing_method)
        if a.target == "ivar" and a.class_level:
            how = _class_ivar_state(a, mutations, types, in_method)
            if how:
                shape = "class_chat" if how.startswith("memoises") else "class_ivar"
                add(StateSite(shape, a.name, owner, a.path, a.line, how))
        elif a.target == "cvar":
            if in_method:
                how = "written in a method"
            elif mutable_literal(a.value) and _mutated(mutations, a.name):
                how = "a collection written at run time"
            else:
                continue
            add(StateSite("class_variable", a.name, owner, a.path, a.line, how))
        elif a.target == "constant" and mutable_literal(a.value):
            where = _mutated(mutations, a.name)
            if where is not None:
                add(StateSite("mutable_constant", a.name, owner, a.path, a.line,
                              f"a mutable {treeutil.text(a.value)[:20]} written at "
                              f"{where[0]}:{where[1]}"))
        elif a.target == "global" and a.name not in _HARMLESS_GLOBALS and \
                (in_method or _mutated(mutations, a.name)):
            add(StateSite("global", a.name, owner, a.path, a.line, "a global written at run time"))
    for cls in index.classes:
        if "Singleton" not in cls.includes or not scan.rel(cls.path).startswith(_STATE_DIRS):
            continue
        ivars = [a for a in index.assignments if a.target == "ivar" and
                 a.enclosing_class == cls.name and not a.class_level]
        if ivars:
            line = next((c.line for c in index.calls_named("include")
                         if c.path == cls.path and c.enclosing_class == cls.name), cls.line)
            add(StateSite("singleton", cls.name, cls.name, cls.path, line,
                          f"a Singleton holding {ivars[0].name}"))
    return sorted(found.values(), key=lambda s: (s.path, s.line, s.name))


def _class_ivar_state(a: Assignment, mutations: Mutations, types: ValueFlow,
                      in_method: bool) -> str | None:
    method = a.enclosing_method
    scope = Scope(a.path, method, a.enclosing_class)
    rtype = types.type_of(a.value, scope) if a.value is not None else None
    if rtype is not None and rtype.is_rubyllm and rtype.owner.endswith(("Chat", "ChatMethods")):
        return "memoises one RubyLLM chat for every request"
    if mutable_literal(a.value) and _mutated(mutations, a.name, class_level=True):
        return "a collection written at run time"
    if in_method and method is not None and a.operator == "=" and \
            not method.name.endswith("=") and \
            method.name not in ("configure", "config", "setup", "reset!", "reset"):
        return f"written in {method.key}"
    return None
