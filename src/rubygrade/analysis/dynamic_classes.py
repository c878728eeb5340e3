"""Classes the app may pick by name at run time, which no call the graph follows reaches.

::

    ADAPTERS = { "ollama" => "Embeddings::Adapters::Ollama" }
    ADAPTERS.fetch(kind).constantize.new(provider)        # the string names the class
    "QuoteReader::Image::#{engine}".constantize.new(file)  # any class under the prefix

A class counts as picked by name when a ``constantize``/``safe_constantize``/
``const_get`` call of the app may resolve to it: the string it resolves is a literal
naming the class, an interpolated string whose literal head and tail the class's name
starts and ends with, any name looked up in the class's namespace
(``Engines.const_get(kind)``), or any other expression while the app spells the class's
qualified name out in a string literal somewhere. The call graph cannot follow such a
call; rules that would say "nothing reaches this" ask here first.
"""

from __future__ import annotations

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.index import Index
from rubygrade.index.model import CallSite
from rubygrade.project import Project

_FROM_RECEIVER = ("constantize", "safe_constantize")
_FROM_ARGUMENT = ("const_get",)


@dataclass(frozen=True)
class _Resolver:
    call: CallSite
    prefix: str | None  # None: the string is not known at all
    suffix: str


class DynamicClasses:
    """Answers which call may pick a class by its name (built on first question)."""

    def __init__(self, index: Index, project: Project) -> None:
        self.index = index
        self.project = project
        self._resolvers: list[_Resolver] | None = None
        self._spelled: dict[str, bool] = {}

    def resolver_of(self, class_name: str) -> CallSite | None:
        """The call most likely to resolve ``class_name`` from a string, or None: one whose
        string pins the class down (a literal, a head and tail) before one that could name
        anything, then the one nearest in namespace, then the first by place."""
        if not class_name:
            return None
        ranked = []
        for resolver in self._all():
            if resolver.prefix is None:
                if not self._spelled_out(class_name):
                    continue
                vague = 1
            elif class_name.startswith(resolver.prefix) and class_name.endswith(resolver.suffix):
                vague = 0
            else:
                continue
            call = resolver.call
            ranked.append((vague, -_shared_namespace(call.enclosing_class or "", class_name),
                           call.path, call.line, call.column, call))
        return min(ranked, key=lambda r: r[:5])[-1] if ranked else None

    def _all(self) -> list[_Resolver]:
        if self._resolvers is None:
            found = []
            for call in self.index.calls_named(*_FROM_RECEIVER, *_FROM_ARGUMENT):
                if not self.project.is_app_code(call.path):
                    continue
                resolver = _resolver(call)
                if resolver is not None:
                    found.append(resolver)
            self._resolvers = found
        return self._resolvers

    def _spelled_out(self, class_name: str) -> bool:
        """Whether the app's Ruby spells ``class_name`` out as a quoted string."""
        known = self._spelled.get(class_name)
        if known is None:
            quoted = (f'"{class_name}"', f"'{class_name}'", f'"::{class_name}"')
            known = any(q in source.text for source in self.project.files.values()
                        if source.kind == "ruby" and self.project.is_app_code(source.path)
                        for q in quoted)
            self._spelled[class_name] = known
        return known


def _resolver(call: CallSite) -> _Resolver | None:
    if call.method in _FROM_RECEIVER:
        name: Node | None = call.receiver
        namespace = ""
    else:
        name = call.positional[0].value if call.positional else None
        owner = treeutil.text(call.receiver) if call.receiver is not None and \
            call.receiver.type in ("constant", "scope_resolution") else ""
        # Object.const_get and Kernel.const_get look names up from the top
        namespace = "" if owner.removeprefix("::") in ("", "Object", "Kernel") else owner + "::"
    if name is None:
        return None
    if name.type == "simple_symbol":
        exact = namespace + treeutil.text(name).lstrip(":")
        return _Resolver(call, exact, exact)
    if name.type != "string":  # ``Engines.const_get(kind)``: any class in that namespace
        return _Resolver(call, namespace or None, "")
    parts = name.named_children
    if not parts:
        return None
    head = treeutil.text(parts[0]) if parts[0].type == "string_content" else ""
    tail = treeutil.text(parts[-1]) if parts[-1].type == "string_content" else ""
    if len(parts) == 1 and head:  # a literal: the class it names exactly
        exact = (namespace + head).removeprefix("::")
        return _Resolver(call, exact, exact)
    if not head and not tail:
        return _Resolver(call, namespace or None, "")
    return _Resolver(call, (namespace + head).removeprefix("::"), tail)


def _shared_namespace(a: str, b: str) -> int:
    """How many leading ``::`` segments two qualified names share."""
    shared = 0
    for x, y in zip(a.split("::"), b.split("::"), strict=False):
        if x != y:
            break
        shared += 1
    return shared
