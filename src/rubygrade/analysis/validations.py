"""Model validations that make a callback's early return certain.

``after_create_commit :describe`` with ``return if description.present?`` at the top of
``describe``, in a model that ``validates :description, presence: true``: a record only
commits when its description is present, so nothing after that return ever runs. RG401
uses this to tell such a call from one a save really reaches.
"""

from __future__ import annotations

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.index import Index
from rubygrade.index.model import CallSite, MethodDef

#: Callbacks that run only after the record passed its validations.
VALIDATED_CALLBACKS = frozenset({
    "before_save", "before_create", "before_update", "after_save", "after_create",
    "after_update", "after_commit", "after_create_commit", "after_update_commit",
    "after_save_commit",
})
#: Options under which a validation may not hold for every saved record.
_CONDITIONAL = frozenset({"if", "unless", "on", "allow_nil", "allow_blank"})


def presence_validated(index: Index, owner: str) -> set[str]:
    """Attributes ``owner``'s class body validates the presence of, unconditionally."""
    found: set[str] = set()
    for call in index.calls_named("validates", "validates_presence_of"):
        if call.enclosing_class != owner or call.enclosing_method is not None or \
                _CONDITIONAL & set(call.keywords):
            continue
        if call.method == "validates":
            presence = call.keyword("presence")
            if presence is None or treeutil.text(presence.value) != "true":
                continue
        found |= {name for a in call.positional if (name := treeutil.string_value(a.value))}
    return found


def validated_callback(index: Index, method: MethodDef) -> bool:
    """``method`` is registered by name as a callback that runs after validation."""
    for call in index.calls_named(*sorted(VALIDATED_CALLBACKS)):
        if call.enclosing_class == method.owner and call.enclosing_method is None and \
                any(treeutil.string_value(a.value) == method.name for a in call.positional):
            return True
    return False


def blocked_by_presence(index: Index, call: CallSite) -> str | None:
    """The attribute whose validated presence returns from ``call``'s method before it:
    ``return if description.present?`` (or ``unless description.blank?``) earlier in the
    body of a validated callback of a model that validates ``description``'s presence."""
    method = call.enclosing_method
    if method is None or method.singleton or not validated_callback(index, method):
        return None
    present = presence_validated(index, method.owner)
    if not present:
        return None
    body = method.node.child_by_field_name("body")
    for statement in body.named_children if body is not None else ():
        if statement.start_byte >= call.node.start_byte:
            break
        name = _present_return(statement)
        if name in present:
            return name
    return None


def _present_return(statement: Node) -> str | None:
    """``return if x.present?`` / ``return unless x.blank?``: the attribute ``x``."""
    if statement.type not in ("if_modifier", "unless_modifier"):
        return None
    body, condition = statement.child_by_field_name("body"), \
        statement.child_by_field_name("condition")
    if body is None or body.type != "return" or body.named_children or condition is None or \
            condition.type != "call":
        return None
    wanted = "present?" if statement.type == "if_modifier" else "blank?"
    receiver = condition.child_by_field_name("receiver")
    if treeutil.text(condition.child_by_field_name("method")) != wanted or receiver is None:
        return None
    if receiver.type == "identifier":
        return treeutil.text(receiver)
    if receiver.type == "call" and treeutil.text(receiver.child_by_field_name("receiver")) == "self":
        return treeutil.text(receiver.child_by_field_name("method"))
    return None
