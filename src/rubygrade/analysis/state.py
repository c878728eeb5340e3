"""Process-local state: stores that live in one Ruby process (RG501, RG805).

A store is state only when the app writes request data into it while serving
requests. Each shape therefore needs a *write* in a method that a controller
action, job or channel reaches in the call graph, and the write must store
something from outside the code:

- an in-place write (``X[k] = v``, ``<<``, ``push``, ``merge!`` ...) or an
  assignment whose value, or whose key, holds request data: the request or the
  model (the taint analysis: params, model output, a stored conversation), an
  argument of the method (through locals, string building, ``new``/``merge``), or
  a RubyLLM value;
- a counter bumped per request (``X[k] += 1``, ``@@count += 1``, ``increment`` on
  a ``Concurrent::Atomic*``);
- a RubyLLM chat memoised at class level, shared by every request.

A store reached through a memoising accessor (``def self.store = @store ||= {}``,
then ``store[id] = value`` or ``Registry.store << value``) is the accessor's variable.

Not state: a frozen constant; a memo of what the code computes the same way in
every process (``@config ||= YAML.load_file(...).freeze``, ``X[k] ||= f(k)``, a
memoised client); a removal (``delete``, ``clear``) on its own; a registry filled
while classes load (``Registry.register(self)`` in class bodies); class-macro DSL
setters (``connector_key "slack"``) whose every call site is a class body.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.values import Scope, ValueFlow
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import Assignment, MethodDef

if TYPE_CHECKING:
    from rubygrade.analysis.taint import Taint
    from rubygrade.index import Index
    from rubygrade.project import Project

#: In-place writes that add what their arguments hold.
MUTATORS = {"push", "append", "store", "merge!", "update", "concat", "unshift", "prepend",
            "put", "replace", "insert", "add", "[]=", "<<", "transform_values!", "add?"}
#: Writes that fill a missing entry once: a memo, unless what they store is request data.
_FILLS = {"compute_if_absent", "put_if_absent", "fetch_or_store"}
#: Counters: each call counts a request, whatever its arguments.
_COUNTERS = {"increment", "decrement"}
_COLLECTION_CTORS = ("Hash.new", "Array.new", "Set.new", "Concurrent::Hash.new",
                     "Concurrent::Map.new", "Concurrent::Array.new", "ThreadSafe::",
                     "Concurrent::Atomic")
_ATOMICS = "Concurrent::Atomic"
_STATE_DIRS = ("app/", "lib/")
_HARMLESS_GLOBALS = {"$stdout", "$stderr", "$stdin", "$PROGRAM_NAME", "$0", "$VERBOSE",
                     "$DEBUG", "$LOAD_PATH", "$redis"}
#: Calls whose result wraps their arguments (``Message.new(text)``, ``h.merge(k => v)``).
_WRAPPERS = {"new", "create", "create!", "build", "merge", "format", "sprintf", "to_h",
             "[]", "with", "dup", "Hash", "Array", "String"}
#: Where a request's data enters (``session.id`` is an id, not text, but it is the request's).
_REQUEST = {"params", "session", "request", "cookies", "current_user"}
_LITERALS = {"simple_symbol", "delimited_symbol", "integer", "float", "true", "false", "nil",
             "heredoc_beginning", "string_array", "symbol_array", "character", "regex",
             "constant", "scope_resolution", "self"}


@dataclass(frozen=True)
class StateSite:
    shape: str  # class_ivar, class_variable, mutable_constant, global, singleton, class_chat
    name: str
    owner: str
    path: str
    line: int
    how: str  # what makes it state, for the message


@dataclass(frozen=True)
class Write:
    """One write of request data into a store (its variable's text) at run time."""

    path: str
    line: int
    singleton: bool  # in a singleton method (a class-level store)
    owner: str  # the class of the writing method
    counter: bool  # a count bumped per request, not stored text


def mutable_literal(node: Node | None) -> bool:
    """``{}``, ``[]``, ``Hash.new``, ``Set.new``... not followed by ``.freeze``."""
    if node is None:
        return False
    if node.type in ("hash", "array"):
        return True
    text = treeutil.text(node)
    return node.type == "call" and text.startswith(_COLLECTION_CTORS) and \
        not text.rstrip().endswith((".freeze", ".freeze()"))


Writes = dict[str, list[Write]]


class _StateScan:
    """The facts one state search needs: the project, the index, what requests reach."""

    def __init__(self, project: Project, index: Index, types: ValueFlow, reachable: set[str],
                 taint: Taint | None) -> None:
        self.project = project
        self.index = index
        self.types = types
        self.reachable = reachable
        self.taint = taint
        self.accessors = self._memo_accessors()

    def at_run_time(self, method: MethodDef | None) -> bool:
        return method is not None and method.kind == "def" and method.key in self.reachable \
            and not self.load_time_only(method)

    def load_time_only(self, method: MethodDef) -> bool:
        """Every call of ``method`` in app code sits in a class body or at file level
        (``Registry.register(Foo)``, a DSL macro ``connector_key "slack"``): it runs
        while classes load; a later request only reads what it wrote."""
        if not method.singleton:
            return False
        sites = []
        for call in self.index.calls_named(method.name):
            if self.project.is_test(call.path):
                continue
            if call.receiver is None or call.receiver.type == "self":
                owner = call.enclosing_class or ""
                if method.owner not in self.index.ancestors(owner):
                    continue
            else:
                const = call.receiver_constant
                if const is None:
                    continue
                resolved = self.index.resolve_constant(const, call.enclosing_class)
                if method.owner not in self.index.ancestors(resolved.removeprefix("::")):
                    continue
            sites.append(call)
        return bool(sites) and all(c.enclosing_method is None for c in sites)

    def rel(self, path: str) -> str:
        return self.project.app_relative(path) or ""

    def _memo_accessors(self) -> dict[tuple[str, str], str]:
        """(owner, accessor) -> the variable it memoises: ``def self.store = @store ||= {}``."""
        out: dict[tuple[str, str], str] = {}
        for a in self.index.assignments:
            method = a.enclosing_method
            if a.target not in ("ivar", "cvar") or a.operator != "||=" or method is None or \
                    not mutable_literal(a.value) or (a.target == "ivar" and not a.class_level):
                continue
            body = method.body
            last = _last(body) if body is not None and body.type in (
                "body_statement", "begin") else body
            if last is not None and last.id == a.node.id:
                out[(method.owner, method.name)] = a.name
        return out

    def store_of(self, target: Node, scope: Scope) -> str:
        """The variable a write's target names: ``store`` / ``Owner.store`` /
        ``self.class.store`` through a memoising accessor, else the target's text."""
        if target.type in ("identifier", "call"):
            name = treeutil.text(target.child_by_field_name("method")) if target.type == "call" \
                else treeutil.text(target)
            receiver = target.child_by_field_name("receiver") if target.type == "call" else None
            owner: str | None = None
            if receiver is None or receiver.type == "self":
                owner = scope.cls
            elif treeutil.text(receiver) == "self.class":
                owner = scope.cls
            elif treeutil.constant_name(receiver) is not None:
                owner = self.index.resolve_constant(treeutil.constant_name(receiver) or "",
                                                    scope.cls)
            if owner:
                for cls in self.index.ancestors(owner):
                    found = self.accessors.get((cls, name))
                    if found is not None:
                        return f"{cls}::{found}"
        return treeutil.text(target)

    # -- does a written value hold data from outside the code? ------------------------------
    def holds_input(self, node: Node | None, scope: Scope) -> bool:
        if node is None:
            return False
        if self.taint is not None and self.taint.tainted(node, scope):
            return True
        typ = self.types.type_of(node, scope)
        if typ is not None and typ.is_rubyllm:
            return True
        return _holds_param(node, scope, self.index, 0) or self._given_request(node, scope)

    def fills_input(self, node: Node | None, key: Node | None, scope: Scope) -> bool:
        """What ``X[k] ||= value`` stores holds input other than its key: a RubyLLM value,
        or an argument of the method that is not in ``k``. A value computed from the key
        alone (``X[k] ||= Struct.new(*k)``) is a memo, the same in every process."""
        if node is None:
            return False
        typ = self.types.type_of(node, scope)
        if typ is not None and typ.is_rubyllm:
            return True
        names = frozenset(treeutil.text(n) for n in treeutil.walk(key)
                          if n.type == "identifier") if key is not None else frozenset()
        return _holds_param(node, scope, self.index, 0, names)

    def opens_resource(self, node: Node | None, scope: Scope, depth: int = 0) -> bool:
        """``RubyLLM::MCP.client(...)``, or a local every write of which is one: a
        connection or a server process, which each worker opens for itself."""
        if node is None or depth > 3:
            return False
        if node.type == "identifier":
            writes = self.index.local_assignments(scope.method, scope.path, treeutil.text(node))
            return bool(writes) and all(self.opens_resource(w.value, scope, depth + 1)
                                        for w in writes)
        text = treeutil.text(node)
        return any(text.startswith(c) and text[len(c):len(c) + 1] in ("", "(", " ")
                   for c in self.types.roles.process_resources)

    def _given_request(self, node: Node, scope: Scope) -> bool:
        """``Memory.instance.chat_for(session.id)``: a call given request data answers for
        that request."""
        if self.taint is None:
            return False
        current: Node | None = node
        while current is not None and current.type == "call":
            args = current.child_by_field_name("arguments")
            if args is not None and (self.taint.tainted(args, scope) or any(
                    n.type == "identifier" and treeutil.text(n) in _REQUEST
                    for n in treeutil.walk(args))):
                return True
            current = current.child_by_field_name("receiver")
        return False


def _holds_param(node: Node, scope: Scope, index: Index, depth: int,
                 exclude: frozenset[str] | None = None, seen: set[int] | None = None) -> bool:
    """``node`` holds an argument of its method: the argument itself, a local written from
    it, a string or collection built from it, or a method called on it. With ``exclude``
    (the names in a memo's key), the arguments named there do not count, and any call
    given another argument does: ``X[k] ||= f(text)`` depends on more than its key."""
    seen = set() if seen is None else seen
    if depth > 12 or node.type in _LITERALS or node.id in seen or len(seen) > 400:
        return False
    seen.add(node.id)
    method = scope.method
    t = node.type
    if t == "identifier":
        name = treeutil.text(node)
        if exclude is not None and name in exclude:
            return False
        block = _iterated(node, name)
        if block is not None:
            return block.type != "lambda" and _holds_param(block, scope, index, depth + 1, exclude, seen)
        writes = [a for a in index.local_assignments(method, scope.path, name)
                  if a.value is not None and a.node.end_byte <= node.start_byte]
        if writes:
            return any(_holds_param(a.value, scope, index, depth + 1, exclude, seen) for a in writes
                       if a.value is not None)
        return method is not None and any(p.name == name for p in method.params)
    if t == "call":
        receiver = node.child_by_field_name("receiver")
        if receiver is not None and _holds_param(receiver, scope, index, depth + 1, exclude, seen):
            return True
        name = treeutil.text(node.child_by_field_name("method"))
        args = node.child_by_field_name("arguments")
        return (name in _WRAPPERS or exclude is not None) and args is not None and \
            _holds_param(args, scope, index, depth + 1, exclude, seen)
    if t in ("string", "array", "hash", "pair", "argument_list", "interpolation", "binary",
             "parenthesized_statements", "conditional", "element_reference", "splat_argument",
             "hash_splat_argument", "chained_string"):
        children = node.named_children
        if t == "pair":
            children = [c for c in (node.child_by_field_name("value"),) if c is not None]
        if t == "binary" and treeutil.text(node.child_by_field_name("operator")) in (
                "==", "!=", "<", ">", "<=", ">=", "=~", "<=>", "===", "&&", "and"):
            return False
        return any(_holds_param(c, scope, index, depth + 1, exclude, seen) for c in children
                   if c.type != "comment")
    return False


def _iterated(node: Node, name: str) -> Node | None:
    """For a block parameter ``name``: what the block iterates (``xs`` of ``xs.each { |x| }``)."""
    for anc in treeutil.ancestors(node):
        if anc.type in ("method", "singleton_method", "class", "module"):
            return None
        if anc.type in ("block", "do_block", "lambda"):
            params = anc.child_by_field_name("parameters")
            if params is not None and any(
                    treeutil.text(p) == name or treeutil.text(p.child_by_field_name("name")) == name
                    for p in params.named_children):
                if anc.type == "lambda":
                    return anc
                call = treeutil.parent_of(anc)
                receiver = call.child_by_field_name("receiver") if call is not None and \
                    call.type == "call" else None
                return receiver if receiver is not None else anc
    return None


def _last(node: Node | None) -> Node | None:
    if node is None:
        return None
    named = [c for c in node.named_children if c.type not in ("comment", "rescue", "ensure")]
    return named[-1] if named else None


def _writes(scan: _StateScan) -> Writes:
    """Store text -> the writes of request data into it by methods requests reach."""
    out: Writes = defaultdict(list)
    for path, nodes in _write_candidates(scan):
        for node in nodes:
            found = _write_of(node)
            if found is None:
                continue
            target, values, counter, key = found
            line = treeutil.line_of(node)
            method = scan.index.method_at(path, line)
            if method is None or not scan.at_run_time(method):
                continue
            scope = Scope(path, method, method.owner or None)
            if counter:
                pass
            elif values and scan.opens_resource(values[0], scope):
                continue  # a cache of connections: one set per process by nature
            elif key is not None:
                if not any(scan.fills_input(v, key, scope) for v in values):
                    continue
            elif not any(scan.holds_input(v, scope) for v in values):
                continue
            target = _stored_variable(target)
            out[scan.store_of(target, scope)].append(
                Write(path, line, method.singleton, method.owner, counter))
    return out


#: The calls :func:`_write_of` may take for a write, looked up by name in the index.
_WRITE_CALLS = tuple(sorted(MUTATORS | _FILLS | _COUNTERS))


def _write_candidates(scan: _StateScan) -> list[tuple[str, list[Node]]]:
    """Per Ruby file of ``app/`` and ``lib/`` (in path order), the nodes that may write in
    place, in document order: what a walk of every node testing :func:`_write_of` would
    visit, without the walk. Calls and element writes come from the index's facts, ``<<``
    operators (the one write the index has no fact for) from the places of ``<<`` in the
    text."""
    files = {path for path, source in scan.project.files.items()
             if source.kind == "ruby" and scan.rel(path).startswith(_STATE_DIRS) and
             source.root is not None}
    found: dict[str, list[Node]] = defaultdict(list)
    for call in scan.index.calls_named(*_WRITE_CALLS):
        if call.receiver is not None and call.path in files:
            found[call.path].append(call.node)
    for a in scan.index.assignments_to("other"):
        if a.path in files:
            left = a.node.child_by_field_name("left")
            if left is not None and left.type == "element_reference":
                found[a.path].append(a.node)
    for path in sorted(files):
        root = scan.project.files[path].root
        if root is not None and "<<" in scan.project.files[path].text:
            found[path] += treeutil.nodes_at_token(root, root.text or b"", "binary", "<<")
    # No two candidates share a start and an end, so start, then the longer first, is
    # the walk's order (an enclosing node before what it holds).
    return [(path, sorted(found[path], key=lambda n: (n.start_byte, -n.end_byte)))
            for path in sorted(found)]


def _stored_variable(target: Node) -> Node:
    """``@store[id] << x`` and ``(@store[id] ||= []) << x`` write ``@store``."""
    for _ in range(20):
        if target.type == "element_reference" and target.named_children:
            target = target.named_children[0]
        elif target.type == "parenthesized_statements" and target.named_children:
            target = target.named_children[-1]
        elif target.type in ("assignment", "operator_assignment") and \
                target.child_by_field_name("left") is not None:
            target = target.child_by_field_name("left")  # type: ignore[assignment]
        else:
            break
    return target


def _write_of(node: Node) -> tuple[Node, list[Node], bool, Node | None] | None:
    """(target, the values it stores, a counter?, the key of a fill-once write) when
    ``node`` writes in place."""
    t = node.type
    if t == "binary" and treeutil.text(node.child_by_field_name("operator")) == "<<":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None:
            return None
        return left, [right] if right is not None else [], False, None
    if t == "call":
        name = treeutil.text(node.child_by_field_name("method"))
        receiver = node.child_by_field_name("receiver")
        if receiver is None:
            return None
        args = node.child_by_field_name("arguments")
        arg_nodes = list(args.named_children) if args is not None else []
        if name in _COUNTERS and _counter_target(receiver):
            return receiver, [], True, None
        if name in MUTATORS:
            return receiver, arg_nodes, False, None
        if name in _FILLS and arg_nodes:
            block = node.child_by_field_name("block")
            values = arg_nodes[1:] + ([block] if block is not None else [])
            return receiver, values, False, arg_nodes[0]
        return None
    if t in ("assignment", "operator_assignment"):
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or left.type != "element_reference" or right is None:
            return None
        operator = treeutil.text(node.child_by_field_name("operator")) if t == \
            "operator_assignment" else "="
        if operator in ("+=", "-="):
            return left, [], True, None
        keys = list(left.named_children[1:])
        if operator == "||=":
            return left, [right], False, keys[-1] if keys else None
        return left, [right] + keys[-1:], False, None
    return None


def _counter_target(receiver: Node) -> bool:
    """``@count.increment``, ``connections.increment``: an atomic the app memoises, not a
    record's ``increment!`` of a column (those are in the database)."""
    return receiver.type in ("instance_variable", "class_variable", "identifier", "call",
                             "constant", "scope_resolution", "global_variable")


def _written(writes: Writes, name: str, owner: str | None = None,
             class_level: bool | None = None) -> Write | None:
    """The first write into variable ``name``: by its own text (an instance or class
    variable only from a method of ``owner``), or through a memoising accessor of
    ``owner`` (``Owner::@store``)."""
    for text, sites in sorted(writes.items()):
        via_accessor = owner is not None and text == f"{owner}::{name}"
        direct = text == name or (name[:1].isupper() and text.endswith("::" + name))
        if not (direct or via_accessor):
            continue
        for site in sites:
            if via_accessor:
                return site
            if owner is not None and name.startswith("@") and site.owner != owner:
                continue
            if class_level is None or site.singleton == class_level:
                return site
    return None


def find_state(project: Project, index: Index, types: ValueFlow, reachable: set[str],
               taint: Taint | None = None) -> list[StateSite]:
    """Every process-local store the app writes request data into while serving requests."""
    scan = _StateScan(project, index, types, reachable, taint)
    writes = _writes(scan)
    found: dict[tuple[str, str], StateSite] = {}

    def add(site: StateSite) -> None:
        found.setdefault((site.owner, site.name), site)

    for a in sorted(index.assignments, key=lambda a: (a.path, a.line)):
        if not scan.rel(a.path).startswith(_STATE_DIRS):
            continue
        owner = a.enclosing_class or ""
        if a.target == "ivar" and a.class_level:
            how = _class_ivar_state(a, writes, scan)
            if how:
                shape = "class_chat" if how.startswith("memoises") else "class_ivar"
                add(StateSite(shape, a.name, owner, a.path, a.line, how))
        elif a.target == "cvar":
            how = _variable_state(a, writes, scan)
            if how:
                add(StateSite("class_variable", a.name, owner, a.path, a.line, how))
        elif a.target == "constant" and mutable_literal(a.value):
            where = _written(writes, a.name)
            if where is not None:
                add(StateSite("mutable_constant", a.name, owner, a.path, a.line,
                              f"a mutable {treeutil.text(a.value)[:20]} written at "
                              f"{where.path}:{where.line}"))
        elif a.target == "global" and a.name not in _HARMLESS_GLOBALS:
            how = _variable_state(a, writes, scan)
            if how:
                add(StateSite("global", a.name, owner, a.path, a.line,
                              how.replace("a collection", "a global")))
    for cls in index.classes:
        if "Singleton" not in cls.includes or not scan.rel(cls.path).startswith(_STATE_DIRS):
            continue
        held = sorted((w, text) for text, sites in writes.items() if text.startswith("@")
                      for w in sites if w.owner == cls.name and not w.singleton)
        direct = [a for a in index.assignments if a.target == "ivar" and
                  a.enclosing_class == cls.name and not a.class_level and
                  a.enclosing_method is not None and a.enclosing_method.name != "initialize"
                  and scan.at_run_time(a.enclosing_method) and a.value is not None and
                  scan.holds_input(a.value, Scope(a.path, a.enclosing_method, cls.name))]
        names = [text for _, text in held] + [a.name for a in direct]
        if names:
            line = next((c.line for c in index.calls_named("include")
                         if c.path == cls.path and c.enclosing_class == cls.name), cls.line)
            add(StateSite("singleton", cls.name, cls.name, cls.path, line,
                          f"a Singleton holding {names[0]}"))
    return sorted(found.values(), key=lambda s: (s.path, s.line, s.name))


def _run_time_write(a: Assignment, scan: _StateScan) -> bool:
    """``@x = value`` (or ``+=``) in a method requests reach, storing request data or a
    count; ``||=`` is a memo, setters and ``configure`` are set-up."""
    method = a.enclosing_method
    if method is None or not scan.at_run_time(method) or method.name.endswith("=") or \
            method.name in ("configure", "config", "setup", "reset!", "reset", "initialize"):
        return False
    if a.operator in ("+=", "-="):
        return True
    if a.operator != "=" or a.value is None:
        return False
    return scan.holds_input(a.value, Scope(a.path, method, a.enclosing_class))


def _class_ivar_state(a: Assignment, writes: Writes, scan: _StateScan) -> str | None:
    method = a.enclosing_method
    scope = Scope(a.path, method, a.enclosing_class)
    rtype = scan.types.type_of(a.value, scope) if a.value is not None else None
    if rtype is not None and rtype.is_rubyllm and rtype.owner.endswith(("Chat", "ChatMethods")):
        return "memoises one RubyLLM chat for every request"
    if mutable_literal(a.value):
        write = _written(writes, a.name, a.enclosing_class, class_level=True)
        if write is not None:
            what = "a counter bumped" if write.counter else "a collection written"
            return f"{what} at {write.path}:{write.line} while serving requests"
    if _run_time_write(a, scan) and method is not None:
        return f"written in {method.key}"
    return None


def _variable_state(a: Assignment, writes: Writes, scan: _StateScan) -> str | None:
    """A class variable or a global: written with request data in a method, or a
    collection whose contents are."""
    if _run_time_write(a, scan):
        return "written in a method with request data"
    if mutable_literal(a.value):
        write = _written(writes, a.name, a.enclosing_class if a.target == "cvar" else None)
        if write is not None:
            what = "a counter bumped" if write.counter else "a collection written"
            return f"{what} at {write.path}:{write.line} while serving requests"
    return None
