"""Branches an earlier guard of the same body has already left: code that never runs.

::

    messages.each do |message|
      next if message.role == "user"
      if message.role == "user"
        raw(message.content)        # never runs: the guard skipped every user message
      end
    end

A guard is a ``next``, ``return`` or ``break`` under an ``if``/``unless`` modifier. A later
statement of the same body whose branch runs only under the guard's condition (an ``if``
or ``elsif`` on the same condition after an ``if`` guard, an ``unless`` after an
``unless`` guard) is dead, provided the condition reads the same values both times: only
locals, instance variables, constants, literals, operators and argument-less method calls
(attribute reads such as ``message.role``, not ``queue.shift``), none of them reassigned in
between.
Templates are written this way when a loop was narrowed and its old branches left behind.
"""

from __future__ import annotations

from tree_sitter import Node

from rubygrade import treeutil

_EXITS = frozenset({"next", "return", "break"})
_GUARDS = {"if_modifier": "if", "unless_modifier": "unless"}
_BRANCHES = {"if": "if", "elsif": "if", "unless": "unless"}
# What a condition may be made of to read the same values twice.
_PURE = frozenset({
    "identifier", "instance_variable", "constant", "scope_resolution", "string",
    "string_content", "simple_symbol", "symbol", "integer", "float", "nil", "true", "false",
    "binary", "unary", "parenthesized_statements", "call",
})
_ASSIGNMENTS = frozenset({"assignment", "operator_assignment"})
# Argument-less methods whose answer changes from one call to the next.
_CHANGING = frozenset({"shift", "pop", "next", "sample", "rand", "reload", "save", "clear"})


def never_runs(node: Node) -> bool:
    """Whether ``node`` sits in a branch that an earlier guard of the same body rules out."""
    for branch in treeutil.ancestors(node):
        if branch.type in ("method", "singleton_method", "class", "module"):
            return False
        if branch.type != "then":
            continue
        conditional = treeutil.parent_of(branch)
        if conditional is None or conditional.type not in _BRANCHES:
            continue
        condition = conditional.child_by_field_name("condition")
        if condition is not None and _ruled_out(conditional, condition):
            return True
    return False


def _ruled_out(conditional: Node, condition: Node) -> bool:
    kind = _BRANCHES[conditional.type]
    statement = conditional
    while statement.type in ("elsif", "else"):  # up the chain to the if that holds it
        above = treeutil.parent_of(statement)
        if above is None:
            return False
        statement = above
    if not _pure(condition):
        return False
    wanted = _normalised(condition)
    read = _names(condition)
    between: list[Node] = []
    sibling = statement.prev_named_sibling
    while sibling is not None:
        if _GUARDS.get(sibling.type) == kind and _exits(sibling):
            guard = sibling.child_by_field_name("condition")
            if guard is not None and _normalised(guard) == wanted:
                return not any(_assigns(s, read) for s in between)
        between.append(sibling)
        sibling = sibling.prev_named_sibling
    return False


def _exits(guard: Node) -> bool:
    body = guard.child_by_field_name("body")
    return body is not None and body.type in _EXITS and body.named_child_count == 0


def _pure(condition: Node) -> bool:
    for node in treeutil.walk(condition):
        if node.is_named and node.type not in _PURE:
            return False
        if node.type == "call" and not _attribute_read(node):
            return False
    return True


def _attribute_read(call: Node) -> bool:
    """``message.role``, ``chat.persisted?``: no arguments, no block, no bang, not a method
    that answers differently each time (``queue.shift``)."""
    method = call.child_by_field_name("method")
    if method is None:
        return False
    name = treeutil.text(method)
    return (not name.endswith("!") and name not in _CHANGING
            and call.child_by_field_name("arguments") is None
            and call.child_by_field_name("block") is None)


def _normalised(node: Node) -> str:
    return " ".join(treeutil.text(node).split())


def _names(condition: Node) -> set[str]:
    return {treeutil.text(n) for n in treeutil.walk(condition)
            if n.type in ("identifier", "instance_variable")}


def _assigns(statement: Node, names: set[str]) -> bool:
    for node in treeutil.walk(statement):
        if node.type in _ASSIGNMENTS:
            left = node.child_by_field_name("left")
            if left is not None and treeutil.text(left) in names:
                return True
    return False
