"""Cross-file resolution: turn the extractor's drafts into a frozen Catalogue.

Order matters and is fixed: constants (superclasses, includes) first, then
inherited visibility changes and aliases, accessor macros, synthetic ``new``
from ``initialize``, and finally a small fixpoint that alternates return-type
hints and ``(...)`` forwarding (``RubyLLM.chat`` -> ``Chat.new`` ->
``Chat#initialize``; AR ``with_tool(...)`` -> ``to_llm`` -> ``Chat#with_tool``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade.catalogue.drafts import ClassDraft, MethodDraft
from rubygrade.catalogue.lookup import CatalogueLookup
from rubygrade.catalogue.model import Catalogue, ClassInfo, MethodSig
from rubygrade.catalogue.rubyast import list_value, name_of_const, params_of, txt

if TYPE_CHECKING:
    from rubygrade.catalogue.extractor import Extractor

#: Return types the source does not state plainly (the value comes from a provider
#: call), recorded from reading the gem. Seeded before inference, so callers such
#: as ``ChatMethods#ask`` (``complete(&)``) inherit them.
RETURN_HINTS: dict[tuple[str, str], str] = {
    ("RubyLLM::Chat", "complete"): "RubyLLM::Message",
    ("RubyLLM::Chat", "ask"): "RubyLLM::Message",
    ("RubyLLM::Chat", "say"): "RubyLLM::Message",
    ("RubyLLM::Chat", "add_message"): "RubyLLM::Message",
    ("RubyLLM::ActiveRecord::ChatMethods", "to_llm"): "RubyLLM::Chat",
    ("RubyLLM::ActiveRecord::ActsAs::ChatMethods", "to_llm"): "RubyLLM::Chat",
    ("RubyLLM::ActiveRecord::ActsAsLegacy::ChatLegacyMethods", "to_llm"): "RubyLLM::Chat",
}


class _DraftView:
    """Adapts a ClassDraft to the attribute names CatalogueLookup reads."""

    def __init__(self, draft: ClassDraft, includes: list[str], extends: list[str]):
        self.kind = draft.kind
        self.superclass = draft.superclass
        self.includes = includes
        self.extends = extends
        self.instance_methods = draft.instance
        self.singleton_methods = draft.singleton
        self.class_methods = draft.class_methods
        self.nonpublic_instance_methods: list[str] = []
        self.nonpublic_singleton_methods: list[str] = []
        self.constants = sorted(draft.constants)
        self.open = draft.open
        self.singleton_open = draft.singleton_open


class _Lookup(CatalogueLookup):
    def __init__(self, classes: dict) -> None:
        self.classes = classes


class Resolver:
    def __init__(self, ex: Extractor) -> None:
        self.ex = ex
        self.drafts = {k: v for k, v in ex.classes.items() if k}
        self.views: dict[str, _DraftView] = {}
        self.lookup = _Lookup(self.views)

    # -- constants --------------------------------------------------------------------
    def resolve_const(self, name: str, nesting: tuple[str, ...]) -> str:
        if name.startswith("::"):
            return name[2:]
        scopes = [s for s in reversed(nesting) if s] + [""]
        for scope in scopes:
            cand = f"{scope}::{name}" if scope else name
            if cand in self.drafts:
                return cand
            first = name.split("::")[0]
            head = f"{scope}::{first}" if scope else first
            if scope and head in self.drafts:
                return cand  # the namespace exists; the tail may be a plain constant
        if nesting and nesting[-1] and self.views:
            for anc in self.lookup.superclass_chain(nesting[-1])[1:]:
                cand = f"{anc}::{name}"
                if cand in self.drafts:
                    return cand
        return name

    def link(self) -> None:
        for fq, d in self.drafts.items():
            if d.superclass_raw is not None:
                d.superclass = self.resolve_const(*d.superclass_raw)
                if d.superclass == fq:
                    d.superclass = None
        for fq, d in self.drafts.items():
            self.views[fq] = _DraftView(d, [], [])
        for fq, d in self.drafts.items():
            view = self.views[fq]
            view.includes = _unique(self.resolve_const(n, nest) for n, nest in d.includes_raw)
            view.extends = _unique(self.resolve_const(n, nest) if n != fq else fq
                                   for n, nest in d.extends_raw)

    # -- method-level fix-ups ------------------------------------------------------------
    def find(self, owner: str, name: str, singleton: bool, skip_self: bool = False
             ) -> MethodDraft | None:
        """Any-visibility lookup over drafts (gem only)."""
        if singleton:
            tables = self.lookup._singleton_tables(owner)
        else:
            tables = [self.views[a].instance_methods for a in self.lookup.ancestors(owner)
                      if a in self.views]
        if skip_self and tables:
            tables = tables[1:]
        for table in tables:
            if name in table:
                return table[name]
        return None

    def fix_aliases_and_visibility(self) -> None:
        for fq, d in self.drafts.items():
            for side_singleton, table in ((False, d.instance), (True, d.singleton)):
                for m in list(table.values()):
                    if m.pending_alias and m.alias_of:
                        src = self.find(fq, m.alias_of, side_singleton, skip_self=True)
                        if src is not None:
                            m.params, m.yields, m.takes_block = src.params, src.yields, \
                                src.takes_block
                            m.forwards, m.dynamic = src.forwards, src.dynamic
                            m.pending_alias = False
        for fq, d in self.drafts.items():
            for name, singleton, vis in d.visibility_overrides:
                table = d.singleton if singleton else d.instance
                if name in table:
                    table[name].visibility = vis
                    continue
                src = self.find(fq, name, singleton, skip_self=True)
                if src is not None:
                    copy = MethodDraft(**{**src.__dict__, "visibility": vis, "owner": fq})
                    table[name] = copy

    def synthesize_new(self) -> None:
        for fq, d in self.drafts.items():
            init = d.instance.get("initialize")
            if d.kind != "class" or init is None or "new" in d.singleton:
                continue
            d.singleton["new"] = MethodDraft(
                name="new", params=list(init.params), visibility="public", owner=fq,
                singleton=True, defined_in=init.defined_in, nesting=init.nesting,
                yields=init.yields, takes_block=init.takes_block, forwards=init.forwards,
                forward=init.forward, forwards_to=f"{fq}#initialize", origin="synthetic",
                returns=fq, dynamic=init.dynamic,
            )

    # -- accessor macros (Configuration.option) -------------------------------------------
    def apply_macros(self) -> None:
        macros: dict[str, dict[str, tuple[bool, bool]]] = {}
        list_macros: dict[str, dict[str, tuple[bool, bool]]] = {}
        for fq, d in self.drafts.items():
            for name, m in d.singleton.items():
                flags = _accessor_macro_flags(m.body)
                if flags is not None:
                    macros.setdefault(fq, {})[name] = flags
            for name, m in d.singleton.items():
                called = _calls_in(m.body)
                for macro, flags in macros.get(fq, {}).items():
                    if macro in called and name not in macros.get(fq, {}):
                        list_macros.setdefault(fq, {})[name] = flags
        if not macros:
            return
        for fq, d in self.drafts.items():
            chain = self.lookup.superclass_chain(fq)
            for macro_name, syms, file in d.macro_calls:
                for owner in chain:
                    flags = macros.get(owner, {}).get(macro_name)
                    if flags is not None:
                        self._add_accessors(d, syms[:1], flags, file, dynamic=True)
                        break
        for fq, named in list_macros.items():
            short = fq.rpartition("::")[2]
            for name, flags in named.items():
                names, file = self._list_macro_arguments(short, name)
                self._add_accessors(self.drafts[fq], names, flags, file, dynamic=True)

    def _list_macro_arguments(self, short: str, macro: str) -> tuple[list[str], str]:
        found: list[str] = []
        where = ""
        for rel, root in self.ex.trees:
            stack = [root]
            while stack:
                node = stack.pop()
                if node.type == "call" and txt(node.child_by_field_name("method")) == macro:
                    recv = txt(node.child_by_field_name("receiver"))
                    args = node.child_by_field_name("arguments")
                    if recv.endswith(short) and args is not None and args.named_children:
                        where = where or rel
                        found.extend(self._names_from(args.named_children[0]))
                stack.extend(node.named_children)
        return _unique(found), where

    def _names_from(self, arg: Node) -> list[str]:
        direct = list_value(arg, {})
        if direct is not None:
            return direct
        if arg.type == "call" and arg.child_by_field_name("arguments") is None:
            name = txt(arg.child_by_field_name("method"))
            out: list[str] = []
            for d in self.drafts.values():
                m = d.singleton.get(name)
                last = _last_statement(m.body) if m is not None else None
                if last is not None:
                    out.extend(list_value(last, {}) or [])
            return out
        return []

    @staticmethod
    def _add_accessors(d: ClassDraft, names: list[str], flags: tuple[bool, bool], file: str,
                       dynamic: bool) -> None:
        from rubygrade.catalogue.model import Param

        reader, writer = flags
        for n in names:
            entries: list[tuple[str, list[Param]]] = ([(n, [])] if reader else []) + (
                [(f"{n}=", [Param(kind="req", name="value")])] if writer else [])
            for name, params in entries:
                if name not in d.instance:
                    d.instance[name] = MethodDraft(
                        name=name, params=params, visibility="public", owner=d.name,
                        singleton=False, defined_in=file, origin="macro", dynamic=dynamic)

    # -- returns and forwarding ----------------------------------------------------------------
    def all_methods(self) -> list[MethodDraft]:
        out: list[MethodDraft] = []
        for d in self.drafts.values():
            out.extend(d.instance.values())
            out.extend(d.singleton.values())
            out.extend(d.class_methods.values())
        return out

    def fixpoint(self) -> None:
        from rubygrade.catalogue.infer import Inferrer

        inferrer = Inferrer(self)
        methods = self.all_methods()
        for m in methods:  # facts the source does not state plainly
            hint = RETURN_HINTS.get((m.owner, m.name))
            if m.returns is None and hint is not None and not m.singleton:
                m.returns = hint
        for _ in range(8):
            changed = inferrer.infer_all(methods)
            changed |= self.resolve_forwards(methods, inferrer)
            if not changed:
                break

    def resolve_forwards(self, methods: list[MethodDraft], inferrer) -> bool:
        changed = False
        for m in methods:
            if m.forward is None or m.forwards_to is not None:
                continue
            target = inferrer.forward_target(m)
            if target is None or target is m:
                continue
            if target.forward is not None and target.forwards_to is None:
                continue  # wait until the target itself is resolved
            fixed = set(m.forward.fixed_keywords)
            m.params = [p for p in target.params
                        if not (p.kind in ("key", "keyreq") and p.name in fixed)]
            m.yields, m.takes_block = target.yields, target.takes_block
            if target.origin == "synthetic" and target.forwards_to:
                m.forwards_to = target.forwards_to
            else:
                sep = "." if target.singleton else "#"
                m.forwards_to = f"{target.owner}{sep}{target.name}"
            if m.returns is None and target.returns is not None:
                m.returns = target.owner if target.returns == "self" and \
                    target.owner != m.owner else target.returns
            changed = True
        return changed

    # -- freeze -----------------------------------------------------------------------------------
    def freeze(self, version: str, commit: str | None) -> Catalogue:
        from rubygrade.catalogue.model import EXTRACTOR_VERSION

        classes: dict[str, ClassInfo] = {}
        for fq in sorted(self.drafts):
            d = self.drafts[fq]
            view = self.views[fq]
            for table in (d.instance, d.singleton):
                for m in table.values():
                    if m.alias_of and m.alias_of in table and m.returns is None \
                            and m.origin == "alias":
                        m.returns = table[m.alias_of].returns
            classes[fq] = ClassInfo(
                name=fq, kind=d.kind, superclass=d.superclass,
                includes=view.includes, extends=view.extends,
                constants=sorted(c for c in d.constants if f"{fq}::{c}" not in self.drafts),
                instance_methods=_public(d.instance),
                singleton_methods=_public(d.singleton),
                class_methods=_public(d.class_methods),
                nonpublic_instance_methods=_nonpublic(d.instance),
                nonpublic_singleton_methods=_nonpublic(d.singleton),
                open=d.open, singleton_open=d.singleton_open,
                defined_in=sorted(d.files),
            )
        return Catalogue(version=version, commit=commit, extractor_version=EXTRACTOR_VERSION,
                         classes=classes)


def _sig(m: MethodDraft) -> MethodSig:
    return MethodSig(
        name=m.name, params=m.params, visibility=m.visibility, yields=m.yields,
        takes_block=m.takes_block or m.yields, returns=m.returns, defined_in=m.defined_in,
        alias_of=m.alias_of, dynamic=m.dynamic, forwards=m.forwards,
        forwards_to=m.forwards_to, origin=m.origin,
    )


def _public(table: dict[str, MethodDraft]) -> dict[str, MethodSig]:
    return {n: _sig(m) for n, m in sorted(table.items()) if m.visibility == "public"}


def _nonpublic(table: dict[str, MethodDraft]) -> list[str]:
    return sorted(n for n, m in table.items() if m.visibility != "public")


def _unique(items) -> list[str]:
    seen: list[str] = []
    for i in items:
        if i not in seen:
            seen.append(i)
    return seen


def _last_statement(body: Node | None) -> Node | None:
    if body is None:
        return None
    if body.type != "body_statement":
        return body
    kids = [c for c in body.named_children
            if c.type not in ("comment", "rescue", "ensure", "else")]
    return kids[-1] if kids else None


def _calls_in(body: Node | None) -> set[str]:
    names: set[str] = set()
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "call" and node.child_by_field_name("receiver") is None:
            names.add(txt(node.child_by_field_name("method")))
        stack.extend(node.named_children)
    return names


def _accessor_macro_flags(body: Node | None) -> tuple[bool, bool] | None:
    """A singleton method that defines accessors named by its argument."""
    reader = writer = False
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type != "call":
            continue
        method = txt(node.child_by_field_name("method"))
        args = node.child_by_field_name("arguments")
        kids = args.named_children if args is not None else []
        if method == "send" and kids and kids[0].type == "simple_symbol":
            method, kids = txt(kids[0]).lstrip(":"), kids[1:]
        if not kids:
            continue
        if method in ("attr_accessor", "attr_reader", "attr_writer") and \
                kids[0].type == "identifier":
            reader = reader or method != "attr_writer"
            writer = writer or method != "attr_reader"
        elif method == "define_method" and kids[0].type == "string":
            parts = kids[0].named_children
            if parts and parts[0].type == "interpolation" and txt(parts[-1]) == "=":
                writer = True
    return (reader, writer) if reader or writer else None


def finish(ex: Extractor, version: str, commit: str | None) -> Catalogue:
    r = Resolver(ex)
    r.link()
    r.fix_aliases_and_visibility()
    r.apply_macros()
    r.synthesize_new()
    r.fix_aliases_and_visibility()  # e.g. private_class_method :new
    r.fixpoint()
    return r.freeze(version, commit)


__all__ = ["finish", "RETURN_HINTS", "name_of_const", "params_of"]
