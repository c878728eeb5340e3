"""Every ``RubyLLM::...`` constant the app writes, checked against the catalogue.

RG202 reports references outside rescue lists, RG204 those inside ``rescue``
and ``rescue_from`` (the line raises NameError exactly when an error arrives).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.companions import additions
from rubygrade.dataclass_lite import dataclass

if TYPE_CHECKING:
    from rubygrade.analysis import Facts
    from rubygrade.analysis.companions import Additions
    from rubygrade.catalogue.model import Catalogue
    from rubygrade.project import Project

#: ``Openrouter::Client``: the openrouter gem spells its namespace ``OpenRouter``.
MISSPELT_NAMESPACES = {"Openrouter": "OpenRouter"}


@dataclass(frozen=True)
class ConstantRef:
    """A constant the app's code names, and where."""

    path: str
    node: Node
    name: str  # fully written, without a leading ``::``
    context: Literal["code", "rescue"]


def find_missing_constants(facts: Facts) -> list[ConstantRef]:
    """References to ``RubyLLM::`` (or misspelt client) constants that do not exist."""
    catalogue = facts.catalogue
    if catalogue is None:
        return []
    project, index = facts.project, facts.index
    app_defined = {c.name for c in index.classes} | {
        a.name.removeprefix("::") for a in index.assignments_to("constant")}
    companions = _companion_namespaces(project)
    added = additions(project)
    # The catalogue answers for nearly every reference (most constants exist), so it is
    # asked before the climb to the enclosing method looks for a ``defined?`` guard. In a
    # run with code nested deep enough that a climb may stop at its bound, the climb comes
    # first as it always did: stopping is what reports the run's "nested more than ..."
    # diagnostic, which must not depend on the catalogue.
    climb_first = treeutil.deep_nodes_seen()
    out: list[ConstantRef] = []
    for path, source in sorted(project.files.items()):
        root = source.root if source.kind in ("ruby", "erb") else None
        if root is None or not project.is_code(path):
            continue
        if "RubyLLM::" not in source.text and "Openrouter::" not in source.text:
            continue
        raw, base = root.text or b"", root.start_byte
        for node in treeutil.nodes_at_token(root, raw, "scope_resolution", "::"):
            if _is_inner(node):
                continue
            name = treeutil.constant_name(node)
            if name is None:
                continue
            name = name.removeprefix("::")
            if _defined_by_app(name, app_defined):
                continue
            if climb_first:
                if _under_defined_guard(node, raw, base) or \
                        not _missing(name, catalogue, companions, added, app_defined):
                    continue
            elif not _missing(name, catalogue, companions, added, app_defined) or \
                    _under_defined_guard(node, raw, base):
                continue
            out.append(ConstantRef(path, node, name, "rescue" if _in_rescue(node) else "code"))
    return out


def _missing(name: str, catalogue: Catalogue, companions: set[str], added: Additions,
             app_defined: set[str]) -> bool:
    """``name`` (not the app's own) is a ``RubyLLM::`` constant neither the catalogue, a
    companion gem nor a known addition defines, or under a misspelt client namespace the
    app does not define itself."""
    if name == "RubyLLM":  # ``::RubyLLM``: the gem's own namespace
        return False
    head = name.split("::", 1)[0]
    if head == "RubyLLM":
        second = name.split("::")[1]
        return not (second.lower() in companions or catalogue.has_constant(name) or
                    added.defines_constant(name))
    if head in MISSPELT_NAMESPACES:
        return not any(n == head or n.startswith(head + "::") for n in app_defined)
    return False


def _is_inner(node: Node) -> bool:
    parent = treeutil.parent_of(node)
    return parent is not None and parent.type == "scope_resolution" and \
        parent.child_by_field_name("scope") == node


def _defined_by_app(name: str, app_defined: set[str]) -> bool:
    parts = name.split("::")
    return any("::".join(parts[:i]) in app_defined for i in range(2, len(parts) + 1))


def _companion_namespaces(project: Project) -> set[str]:
    """``ruby_llm-schema`` defines ``RubyLLM::Schema``: namespaces of companion gems."""
    gems = project.lockfile.gems if project.lockfile else {}
    return {re.sub(r"[-_]", "", g.split("ruby_llm", 1)[1]).lower()
            for g in gems if re.match(r"ruby_llm[-_]", g)}


def _under_defined_guard(node: Node, raw: bytes, base: int) -> bool:
    """Inside ``defined?(...)``, or an expression that starts with one. ``raw`` is the text of
    the tree (from byte ``base``): each ancestor's start is read there, where decoding the
    ancestor's whole text (a class body) would decode the file again for every reference."""
    for anc in treeutil.ancestors(node):
        if anc.type == "defined?":
            return True
        start = anc.start_byte - base
        if raw[start:min(anc.end_byte - base, start + 8)] == b"defined?":
            return True
        if anc.type in ("method", "singleton_method", "class", "module", "program"):
            return False
    return False


def _in_rescue(node: Node) -> bool:
    for anc in treeutil.ancestors(node):
        if anc.type == "exceptions":
            return True
        if anc.type == "argument_list":
            call = treeutil.parent_of(anc)
            if call is not None and call.type == "call" and \
                    treeutil.text(call.child_by_field_name("method")) == "rescue_from":
                return True
            return False
        if anc.type in ("method", "class", "module", "program", "call"):
            return False
    return False
