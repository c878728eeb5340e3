"""Read a gem's ``lib/`` with tree-sitter and record every class, module and method.

Each file is parsed once. Class and module bodies are walked in document order
with an explicit stack of frames (no recursion over the tree), because Ruby's
visibility rules are stateful: ``private`` changes the methods that follow it
in the same body, ``module_function`` copies them to the module, ``class << self``
switches to the singleton side. Method bodies are only inspected for ``yield``,
``block_given?``, ``super`` and forwarding calls; definitions made inside a
method at run time (``acts_as_chat`` including a module) are not catalogued.
Cross-file work (superclasses, aliases, forwards, return hints) is done in
:mod:`rubygrade.catalogue.resolve` once every file is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import tree_sitter_ruby
from tree_sitter import Language, Node, Parser

from rubygrade.catalogue.drafts import ClassDraft, ForwardTarget, MethodDraft
from rubygrade.catalogue.model import Catalogue, ClassKind, Param, ParamKind, Visibility
from rubygrade.catalogue.rubyast import (
    block_body_statements,
    body_statements,
    list_value,
    name_of_const,
    params_of,
    symbol_value,
    txt,
)

_PARSER = Parser(Language(tree_sitter_ruby.language()))

VISIBILITY_WORDS = ("private", "protected", "public")
ATTR_WORDS = ("attr_reader", "attr_writer", "attr_accessor", "attr")
#: Ruby makes these private wherever they are defined
_AUTO_PRIVATE = ("initialize", "initialize_copy", "initialize_dup", "initialize_clone",
                 "respond_to_missing?")


@dataclass
class _State:
    visibility: Visibility = "public"
    module_function: bool = False


@dataclass
class _Frame:
    stmts: Iterator[Node]
    owner: str
    nesting: tuple[str, ...]
    target: str  # 'instance' | 'singleton' | 'class_methods'
    state: _State
    file: str


class Extractor:
    """Collects drafts over many files; :meth:`finish` resolves and freezes them."""

    def __init__(self) -> None:
        self.classes: dict[str, ClassDraft] = {}
        self.trees: list[tuple[str, Node]] = []

    # -- classes ----------------------------------------------------------------
    def _class(self, fq: str, kind: ClassKind, file: str) -> ClassDraft:
        draft = self.classes.get(fq)
        if draft is None:
            draft = self.classes[fq] = ClassDraft(name=fq, kind=kind)
        draft.files.add(file)
        return draft

    def _table(self, frame: _Frame) -> dict[str, MethodDraft]:
        cls = self.classes[frame.owner]
        return {"instance": cls.instance, "singleton": cls.singleton,
                "class_methods": cls.class_methods}[frame.target]

    # -- files -------------------------------------------------------------------
    def add_file(self, rel: str, source: bytes) -> None:
        tree = _PARSER.parse(source)
        self.trees.append((rel, tree.root_node))
        top = _Frame(iter(tree.root_node.named_children), "", (), "instance", _State(), rel)
        self._class("", "module", rel)  # top level; dropped at the end
        if tree.root_node.type == "ERROR":
            top = self._error_frame(tree.root_node, top)
        stack = [top]
        while stack:
            frame = stack[-1]
            node = next(frame.stmts, None)
            if node is None:
                stack.pop()
                continue
            child = self._statement(node, frame)
            if child is not None:
                stack.append(child)

    # -- statements ----------------------------------------------------------------
    def _statement(self, node: Node, frame: _Frame) -> _Frame | None:
        t = node.type
        if t == "ERROR":
            return self._error_frame(node, frame)
        if t == "_open":  # marker from _error_frame: `module X` whose `end` was lost
            return None
        if t in ("class", "module"):
            return self._open_class(node, frame)
        if t == "singleton_class":
            value = node.child_by_field_name("value")
            if value is not None and value.type == "self" and frame.target == "instance":
                return _Frame(iter(body_statements(node)), frame.owner, frame.nesting,
                              "singleton", _State(), frame.file)
            return None
        if t == "method":
            self._def(node, frame, frame.target)
            return None
        if t == "singleton_method":
            obj = node.child_by_field_name("object")
            owner_last = frame.owner.rpartition("::")[2]
            if obj is not None and (obj.type == "self" or txt(obj) == owner_last):
                if frame.target == "instance":
                    self._def(node, frame, "singleton", visibility="public")
            return None
        if t == "identifier":
            word = txt(node)
            if word in VISIBILITY_WORDS:
                frame.state.visibility = cast(Visibility, word)
                frame.state.module_function = False
            elif word == "module_function":
                frame.state.module_function = True
            return None
        if t == "alias":
            new = node.child_by_field_name("name")
            old = node.child_by_field_name("alias")
            if new is not None and old is not None:
                self._alias(frame, symbol_value(new) or txt(new), symbol_value(old) or txt(old))
            return None
        if t == "assignment":
            return self._assignment(node, frame)
        if t == "call":
            return self._call(node, frame)
        if t in ("if", "unless", "begin", "then", "else", "parenthesized_statements"):
            # conditional definitions share the surrounding visibility state
            inner = [c for c in node.named_children
                     if c.type not in ("comment",) and c != node.child_by_field_name("condition")]
            stmts: list[Node] = []
            for c in inner:
                if c.type in ("then", "else", "body_statement"):
                    stmts.extend(c.named_children)
                else:
                    stmts.append(c)
            return _Frame(iter(stmts), frame.owner, frame.nesting, frame.target, frame.state,
                          frame.file)
        return None

    def _error_frame(self, node: Node, frame: _Frame) -> _Frame:
        """Salvage a syntax-error region: keep its well-formed statements.

        tree-sitter leaves ``module Foo`` as bare tokens when the matching ``end``
        is lost; the statements after them are treated as inside ``Foo``.
        """
        kids = node.children
        ex = self

        def statements() -> Iterator[Node]:
            i = 0
            while i < len(kids):
                kid = kids[i]
                nxt = kids[i + 1] if i + 1 < len(kids) else None
                if kid.type in ("module", "class") and not kid.is_named and nxt is not None \
                        and name_of_const(nxt) is not None:
                    raw = name_of_const(nxt) or ""
                    fq = raw[2:] if raw.startswith("::") else (
                        f"{err.owner}::{raw}" if err.owner else raw)
                    ex._class(fq, cast(ClassKind, kid.type), err.file)  # tested just above
                    ex._register_parents(fq)
                    err.owner, err.nesting, err.state = fq, err.nesting + (fq,), _State()
                    i += 2
                    continue
                if kid.is_named:
                    yield kid
                i += 1

        err = _Frame(iter(()), frame.owner, frame.nesting, frame.target, frame.state, frame.file)
        err.stmts = statements()
        return err

    def _open_class(self, node: Node, frame: _Frame) -> _Frame | None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return None
        raw = name_of_const(name_node)
        if raw is None:
            return None
        if raw.startswith("::"):
            fq = raw[2:]
        else:
            fq = f"{frame.owner}::{raw}" if frame.owner else raw
        # _statement only sends `class` and `module` nodes here
        draft = self._class(fq, cast(ClassKind, node.type), frame.file)
        self._register_parents(fq)
        if node.type == "class":
            sup = node.child_by_field_name("superclass")
            if sup is not None and sup.named_children:
                expr = sup.named_children[0]
                sname = name_of_const(expr)
                if sname is not None and draft.superclass_raw is None:
                    draft.superclass_raw = (sname, frame.nesting or ("",))
                elif expr.type == "call" and _is_struct_new(expr) and draft.superclass_raw is None:
                    draft.superclass_raw = ("Struct", ())
                    self._struct_members(draft, expr, frame.file)
        nesting = frame.nesting + (fq,)
        return _Frame(iter(body_statements(node)), fq, nesting, "instance", _State(), frame.file)

    def _register_parents(self, fq: str) -> None:
        parts = fq.split("::")
        for i in range(1, len(parts)):
            parent = "::".join(parts[:i])
            if parent not in self.classes:
                self.classes[parent] = ClassDraft(name=parent, kind="module")

    # -- method definitions ------------------------------------------------------------
    def _def(self, node: Node, frame: _Frame, target: str,
             visibility: Visibility | None = None) -> str:
        name_node = node.child_by_field_name("name")
        name = symbol_value(name_node) or txt(name_node) if name_node is not None else ""
        if name.startswith("self."):
            name = name[5:]
        params, forwards = params_of(node.child_by_field_name("parameters"))
        body = node.child_by_field_name("body")
        draft = MethodDraft(
            name=name, params=params,
            visibility=visibility or frame.state.visibility,
            owner=frame.owner, singleton=target == "singleton", defined_in=frame.file,
            nesting=frame.nesting, forwards=forwards, body=body,
        )
        _scan_body(draft, body)
        if name in _AUTO_PRIVATE and target == "instance":
            draft.visibility = "private"
        if name in ("method_missing", "respond_to_missing?"):
            draft.visibility = "private"  # hooks, not API
        cls = self.classes[frame.owner]
        if name == "method_missing":
            if target == "singleton":
                cls.singleton_open = True
            elif target == "instance":
                cls.open = True
        if target == "instance" and frame.state.module_function:
            cls.singleton[name] = _copy(draft, visibility="public", singleton=True)
            draft.visibility = "private"
        table = {"instance": cls.instance, "singleton": cls.singleton,
                 "class_methods": cls.class_methods}[target]
        table[name] = draft
        return name

    def _alias(self, frame: _Frame, new: str, old: str) -> None:
        table = self._table(frame)
        src = table.get(old)
        if src is not None:
            table[new] = _copy(src, name=new, alias_of=old, origin="alias",
                               visibility=frame.state.visibility)
        else:
            table[new] = MethodDraft(
                name=new, params=[], visibility=frame.state.visibility, owner=frame.owner,
                singleton=frame.target == "singleton", defined_in=frame.file, alias_of=old,
                origin="alias", pending_alias=True,
            )

    def _set_visibility(self, frame: _Frame, names: list[str], vis: Visibility,
                        singleton: bool) -> None:
        cls = self.classes[frame.owner]
        table = cls.singleton if singleton else self._table(frame)
        for n in names:
            if n in table:
                table[n].visibility = vis
            else:
                cls.visibility_overrides.append((n, singleton, vis))

    # -- assignments -----------------------------------------------------------------
    def _assignment(self, node: Node, frame: _Frame) -> _Frame | None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or left.type != "constant" or right is None or not frame.owner:
            return None
        name = txt(left)
        cls = self.classes[frame.owner]
        cls.constants.add(name)
        fq = f"{frame.owner}::{name}"
        if right.type == "call" and _is_struct_new(right):
            draft = self._class(fq, "class", frame.file)
            draft.superclass_raw = ("Struct", ())
            self._struct_members(draft, right, frame.file)
            cls.constants.discard(name)
            block = right.child_by_field_name("block")
            if block is not None:
                return _Frame(iter(block_body_statements(block)), fq, frame.nesting + (fq,),
                              "instance", _State(), frame.file)
            return None
        if right.type == "call" and txt(right.child_by_field_name("receiver")) == "Class" \
                and txt(right.child_by_field_name("method")) == "new":
            draft = self._class(fq, "class", frame.file)
            cls.constants.discard(name)
            args = right.child_by_field_name("arguments")
            if args is not None and args.named_children:
                sname = name_of_const(args.named_children[0])
                if sname:
                    draft.superclass_raw = (sname, frame.nesting)
            return None
        values = list_value(right, cls.const_lists)
        if values is not None:
            cls.const_lists[name] = values
        return None

    def _struct_members(self, draft: ClassDraft, call: Node, file: str) -> None:
        args = call.child_by_field_name("arguments")
        members: list[str] = []
        keyword_init = False
        for arg in args.named_children if args is not None else []:
            sym = symbol_value(arg)
            if sym is not None:
                members.append(sym)
            elif arg.type == "pair" and txt(arg.child_by_field_name("key")).rstrip(":") \
                    == "keyword_init" and txt(arg.child_by_field_name("value")) == "true":
                keyword_init = True
        for m in members:
            for name, params in ((m, []), (f"{m}=", [Param(kind="req", name="value")])):
                draft.instance[name] = MethodDraft(
                    name=name, params=params, visibility="public", owner=draft.name,
                    singleton=False, defined_in=file, origin="struct")
        kind: ParamKind = "key" if keyword_init else "opt"
        draft.instance["initialize"] = MethodDraft(
            name="initialize", params=[Param(kind=kind, name=m) for m in members],
            visibility="private", owner=draft.name, singleton=False, defined_in=file,
            origin="struct")

    # -- calls in a class body ----------------------------------------------------------
    def _call(self, node: Node, frame: _Frame) -> _Frame | None:
        receiver = node.child_by_field_name("receiver")
        method = txt(node.child_by_field_name("method"))
        args_node = node.child_by_field_name("arguments")
        args = args_node.named_children if args_node is not None else []
        block = node.child_by_field_name("block")
        cls = self.classes[frame.owner]
        if receiver is not None:
            if method in ("each", "each_key") and block is not None:
                self._define_loop(node, receiver, block, frame)
            return None
        if not frame.owner:
            return None
        singleton_side = frame.target == "singleton"
        if method in VISIBILITY_WORDS:
            names: list[str] = []
            for arg in args:
                if arg.type in ("method", "singleton_method"):
                    target = "singleton" if arg.type == "singleton_method" else frame.target
                    if arg.type == "singleton_method" and frame.target != "instance":
                        continue
                    names.append(self._def(arg, frame, target))
                else:
                    names.extend(_symbols(arg))
            self._set_visibility(frame, names, cast(Visibility, method), singleton_side)
        elif method in ("private_class_method", "public_class_method"):
            names = []
            for arg in args:
                if arg.type == "singleton_method":
                    names.append(self._def(arg, frame, "singleton", visibility="public"))
                else:
                    names.extend(_symbols(arg))
            vis: Visibility = "private" if method == "private_class_method" else "public"
            self._set_visibility(frame, names, vis, True)
        elif method == "module_function":
            names = []
            for arg in args:
                names.extend(_symbols(arg))
            for n in names:
                src = cls.instance.get(n)
                if src is not None:
                    cls.singleton[n] = _copy(src, visibility="public", singleton=True)
                    src.visibility = "private"
        elif method in ATTR_WORDS:
            self._attrs(frame, method, [s for a in args for s in _symbols(a)])
        elif method == "alias_method" and len(args) >= 2:
            new, old = symbol_value(args[0]), symbol_value(args[1])
            if new and old:
                self._alias(frame, new, old)
        elif method in ("include", "extend", "prepend"):
            for arg in args:
                if arg.type == "self" and method == "extend":
                    cls.extends_raw.append((frame.owner, ("",)))
                    continue
                cname = name_of_const(arg)
                if cname is None:
                    continue
                if frame.target == "singleton" and method == "include":
                    cls.extends_raw.append((cname, frame.nesting))
                elif method == "extend":
                    cls.extends_raw.append((cname, frame.nesting))
                else:
                    cls.includes_raw.append((cname, frame.nesting))
        elif method in ("def_delegators", "def_instance_delegators", "def_delegator",
                        "def_instance_delegator", "delegate"):
            self._delegators(frame, method, args)
        elif method == "define_method" and args:
            name = symbol_value(args[0])
            if name:
                self._define_method(frame, name, node)
        elif method == "class_methods" and block is not None and frame.target == "instance":
            return _Frame(iter(block_body_statements(block)), frame.owner, frame.nesting,
                          "class_methods", _State(), frame.file)
        else:
            syms = [s for a in args for s in _symbols(a)][:1]
            if syms:
                cls.macro_calls.append((method, syms, frame.file))
        return None

    def _attrs(self, frame: _Frame, word: str, names: list[str]) -> None:
        table = self._table(frame)
        single = frame.target == "singleton"
        for n in names:
            entries: list[tuple[str, list[Param]]] = []
            if word in ("attr_reader", "attr_accessor", "attr"):
                entries.append((n, []))
            if word in ("attr_writer", "attr_accessor"):
                entries.append((f"{n}=", [Param(kind="req", name="value")]))
            for name, params in entries:
                table[name] = MethodDraft(
                    name=name, params=params, visibility=frame.state.visibility,
                    owner=frame.owner, singleton=single, defined_in=frame.file, origin="attr")

    def _delegators(self, frame: _Frame, word: str, args: list[Node]) -> None:
        names: list[tuple[str, str | None]] = []  # (exposed name, original name)
        to: str | None = None
        prefix: str | None = None
        if word == "delegate":
            for arg in args:
                if arg.type == "pair":
                    key = txt(arg.child_by_field_name("key")).rstrip(":").lstrip(":")
                    value = arg.child_by_field_name("value")
                    if key == "to":
                        to = symbol_value(value) or txt(value)
                    elif key == "prefix":
                        prefix = "true" if txt(value) == "true" else symbol_value(value)
                else:
                    names.extend((s, None) for s in _symbols(arg))
            if prefix == "true":
                prefix = to
            if prefix:
                names = [(f"{prefix}_{n}", n) for n, _ in names]
        elif word in ("def_delegator", "def_instance_delegator"):
            syms = [symbol_value(a) for a in args]
            if len(syms) >= 2 and syms[1]:
                to = syms[0]
                names.append((syms[2] or syms[1], syms[1]) if len(syms) > 2
                             else (syms[1], None))
        else:
            listed = [s for a in args for s in _symbols(a)]
            if listed:
                to, names = listed[0], [(s, None) for s in listed[1:]]
        table = self._table(frame)
        for exposed, original in names:
            table[exposed] = MethodDraft(
                name=exposed, params=_ANY_PARAMS, visibility=frame.state.visibility,
                owner=frame.owner, singleton=frame.target == "singleton",
                defined_in=frame.file, origin="delegator", forwards=True, takes_block=True,
                forwards_to=f"{to}.{original or exposed}" if to else None,
                alias_of=original,
            )

    def _define_method(self, frame: _Frame, name: str, call: Node) -> None:
        block = call.child_by_field_name("block")
        params: list[Param] = list(_ANY_PARAMS)
        takes_block = True
        if block is not None:
            bparams = block.child_by_field_name("parameters")
            params, _ = params_of(bparams)
            takes_block = any(p.kind == "block" for p in params)
        table = self._table(frame)
        table[name] = MethodDraft(
            name=name, params=params, visibility=frame.state.visibility, owner=frame.owner,
            singleton=frame.target == "singleton", defined_in=frame.file, dynamic=True,
            takes_block=takes_block, origin="define_method",
        )

    def _define_loop(self, call: Node, receiver: Node, block: Node, frame: _Frame) -> None:
        """``%w[a b].each { |x| define_method("#{x}?") { } }`` -> ``a?``, ``b?``."""
        if not frame.owner:
            return
        values = list_value(receiver, self._const_lists_for(frame))
        if values is None:
            return
        bparams = block.child_by_field_name("parameters")
        var = bparams.named_children[0] if bparams is not None and bparams.named_children else None
        if var is None or var.type != "identifier":
            return
        var_name = txt(var)
        for stmt in block_body_statements(block):
            if stmt.type != "call" or txt(stmt.child_by_field_name("method")) != "define_method":
                continue
            if stmt.child_by_field_name("receiver") is not None:
                continue
            args = stmt.child_by_field_name("arguments")
            if args is None or not args.named_children:
                continue
            template = _name_template(args.named_children[0], var_name)
            if template is None:
                continue
            for v in values:
                self._define_method(frame, template.replace("\0", v), stmt)

    def _const_lists_for(self, frame: _Frame) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for fq in frame.nesting:
            merged.update(self.classes[fq].const_lists if fq in self.classes else {})
        return merged

    # -- finish ----------------------------------------------------------------------------
    def finish(self, version: str, commit: str | None) -> Catalogue:
        from rubygrade.catalogue.resolve import finish

        return finish(self, version, commit)


_ANY_PARAMS = [Param(kind="rest", name="*"), Param(kind="keyrest", name="**"),
               Param(kind="block", name="&")]


def _copy(src: MethodDraft, **changes: Any) -> MethodDraft:
    return replace(src, **changes)


def _symbols(node: Node) -> list[str]:
    if node.type in ("array", "symbol_array", "string_array"):
        return [s for c in node.named_children if (s := symbol_value(c))]
    sym = symbol_value(node)
    return [sym] if sym else []


def _is_struct_new(call: Node) -> bool:
    recv = call.child_by_field_name("receiver")
    return txt(recv) in ("Struct", "::Struct") and txt(call.child_by_field_name("method")) == "new"


def _name_template(node: Node, var: str) -> str | None:
    """``"#{var}?"`` -> ``"\\0?"``; ``var`` -> ``"\\0"``; None when not derivable."""
    if node.type == "identifier":
        return "\0" if txt(node) == var else None
    if node.type in ("string", "delimited_symbol"):
        out = []
        for part in node.named_children:
            if part.type == "string_content":
                out.append(txt(part))
            elif part.type == "interpolation":
                inner = part.named_children
                if len(inner) == 1 and inner[0].type == "identifier" and txt(inner[0]) == var:
                    out.append("\0")
                else:
                    return None
            else:
                return None
        result = "".join(out)
        return result if "\0" in result else None
    return None


def _scan_body(draft: MethodDraft, body: Node | None) -> None:
    """Block usage and forwarding, looking inside the body but not into nested defs."""
    if any(p.kind == "block" for p in draft.params):
        draft.takes_block = True
    if body is None:
        return
    rest_names = {p.name for p in draft.params if p.kind == "rest"}
    keyrest_names = {p.name for p in draft.params if p.kind == "keyrest"}
    stack = [body]
    while stack:
        node = stack.pop()
        t = node.type
        if t == "yield":
            draft.yields = True
        elif t == "super" and (node.parent is None or node.parent.type != "call"):
            draft.takes_block = True  # zsuper passes the block on
        elif t in ("identifier", "call") and txt(
                node.child_by_field_name("method") if t == "call" else node) == "block_given?":
            draft.takes_block = True
        elif t == "call" and draft.forward is None:
            _maybe_forward(draft, node, rest_names, keyrest_names)
        if t in ("method", "singleton_method", "class", "module", "singleton_class"):
            continue
        stack.extend(reversed(node.named_children))


def _maybe_forward(draft: MethodDraft, call: Node, rest: set[str], keyrest: set[str]) -> None:
    args = call.child_by_field_name("arguments")
    if args is None:
        return
    kids = args.named_children
    method_node = call.child_by_field_name("method")
    is_super = method_node is not None and method_node.type == "super"
    method = draft.name if is_super else txt(method_node)
    target = ForwardTarget(receiver=call.child_by_field_name("receiver"), method=method,
                           nesting=draft.nesting, is_super=is_super)
    if draft.forwards and any(k.type == "forward_argument" for k in kids):
        draft.forward = target
        return
    if not rest or not keyrest:
        return
    # def m(*args, **kw, &) ; Target.x(*args, **kw, extra: v, &) ; end
    splats = {txt(k.named_children[0]) for k in kids
              if k.type == "splat_argument" and k.named_children}
    dsplats = {txt(k.named_children[0]) for k in kids
               if k.type == "hash_splat_argument" and k.named_children}
    if not (splats & rest or "*" in rest and any(k.type == "splat_argument" for k in kids)):
        return
    if not (dsplats & keyrest or "**" in keyrest and
            any(k.type == "hash_splat_argument" for k in kids)):
        return
    target.fixed_keywords = tuple(
        txt(k.child_by_field_name("key")).rstrip(":") for k in kids if k.type == "pair")
    draft.forward = target
    draft.forwards = True


def iter_ruby_files(lib_dir: Path) -> list[Path]:
    return sorted(p for p in lib_dir.rglob("*.rb") if p.is_file())


def build_catalogue(lib_dir: Path, version: str, commit: str | None = None) -> Catalogue:
    """Catalogue every ``*.rb`` under ``lib_dir`` (a gem's ``lib/``)."""
    lib_dir = Path(lib_dir)
    ex = Extractor()
    for path in iter_ruby_files(lib_dir):
        ex.add_file(path.relative_to(lib_dir).as_posix(), path.read_bytes())
    return ex.finish(version, commit)
