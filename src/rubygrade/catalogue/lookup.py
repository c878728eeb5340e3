"""Name lookup inside one catalogue, following Ruby's rules as far as static data allows.

Checkers ask "does ``chat.ask`` exist, and with which parameters?". Ruby answers
by walking the receiver's ancestors (the class, its included modules - last
included first - then the superclass chain) and finally Object/Kernel. This
mixin does the same over the catalogue's classes, then falls back to
:mod:`rubygrade.catalogue.builtins`. Names outside the gem (``Enumerable``,
``StandardError``) stay in the ancestor list as written so builtins can use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rubygrade.catalogue.model import ClassInfo, MethodSig


def _norm(name: str) -> str:
    return name[2:] if name.startswith("::") else name


class CatalogueLookup:
    """Lookup methods mixed into :class:`~rubygrade.catalogue.model.Catalogue`."""

    classes: dict[str, ClassInfo]

    def get_class(self, fqname: str) -> ClassInfo | None:
        return self.classes.get(_norm(fqname))

    # -- ancestry -----------------------------------------------------------
    def ancestors(self, fqname: str) -> list[str]:
        """Instance-side ancestors like ``Module#ancestors``, gem and external names mixed."""
        out: list[str] = []
        seen: set[str] = set()
        current: str | None = _norm(fqname)
        is_class = False
        while current is not None and current not in seen:
            info = self.classes.get(current)
            self._add_with_includes(current, out, seen)
            if info is None:
                break
            is_class = is_class or info.kind == "class"
            current = info.superclass
        if is_class:
            for name in ("Object", "Kernel", "BasicObject"):
                if name not in seen:
                    seen.add(name)
                    out.append(name)
        return out

    def _add_with_includes(self, name: str, out: list[str], seen: set[str]) -> None:
        # iterative: a module, then its includes (last first), each with its own includes
        stack = [name]
        while stack:
            cur = stack.pop()
            if cur in seen:
                continue
            seen.add(cur)
            out.append(cur)
            info = self.classes.get(cur)
            if info is not None:
                # push in order so the last include is processed first
                stack.extend(info.includes)

    def superclass_chain(self, fqname: str) -> list[str]:
        """``fqname`` and its superclasses (gem and the first external one)."""
        chain: list[str] = []
        current: str | None = _norm(fqname)
        while current is not None and current not in chain:
            chain.append(current)
            info = self.classes.get(current)
            current = info.superclass if info is not None else None
        return chain

    def is_subclass(self, fqname: str, base: str) -> bool:
        """True if ``fqname`` is ``base`` or inherits from / includes it."""
        return _norm(base) in self.ancestors(fqname)

    def nonpublic_visibility(self, owner: str, name: str, singleton: bool = False) -> str | None:
        """``"private"``/``"protected"`` when ``name`` exists but is not public."""
        if self.find_method(owner, name, singleton) is not None:
            return None
        if singleton:
            for _table, hidden in self._singleton_tables(owner, with_hidden=True):
                if name in hidden:
                    return "private"
            return None
        for anc in self.ancestors(owner):
            info = self.classes.get(anc)
            if info is not None and name in info.nonpublic_instance_methods:
                return "private"
        return None

    def is_open(self, fqname: str, singleton: bool = False) -> bool:
        """True if an ancestor defines ``method_missing`` (any name may answer)."""
        if singleton:
            for name in self.superclass_chain(fqname):
                info = self.classes.get(name)
                if info is not None and info.singleton_open:
                    return True
            return False
        return any(
            (info := self.classes.get(name)) is not None and info.open
            for name in self.ancestors(fqname)
        )

    # -- constants ------------------------------------------------------------
    def has_constant(self, fqname: str) -> bool:
        """A class/module of the gem, or a constant recorded in its namespace.

        ``A::B`` also finds ``B`` through ``A``'s ancestors, as Ruby's scoped
        lookup does.
        """
        name = _norm(fqname)
        if name in self.classes:
            return True
        if "::" not in name:
            return False
        parent, _, last = name.rpartition("::")
        if parent not in self.classes:
            return False
        for anc in self.ancestors(parent):
            info = self.classes.get(anc)
            if info is None:
                continue
            if f"{anc}::{last}" in self.classes or last in info.constants:
                return True
        return False

    # -- methods --------------------------------------------------------------
    def find_method(self, owner: str, name: str, singleton: bool = False) -> MethodSig | None:
        """Public method ``name`` on instances of ``owner`` (or on ``owner`` itself)."""
        from rubygrade.catalogue.builtins import builtin_method

        owner = _norm(owner)
        info = self.classes.get(owner)
        if info is None:
            return None
        if singleton:
            for table, hidden in self._singleton_tables(owner, with_hidden=True):
                if name in table:
                    return table[name]
                if name in hidden:
                    return None
            is_class = info.kind == "class"
            externals = self._singleton_externals(owner)
            return builtin_method(name, externals, singleton=True, is_class=is_class)
        ancestors = self.ancestors(owner)
        for anc in ancestors:
            anc_info = self.classes.get(anc)
            if anc_info is None:
                continue
            if name in anc_info.instance_methods:
                return anc_info.instance_methods[name]
            if name in anc_info.nonpublic_instance_methods:
                return None  # private/protected here: not callable from outside
        return builtin_method(name, ancestors, singleton=False, is_class=info.kind == "class")

    def _singleton_tables(self, owner: str, with_hidden: bool = False) -> list:
        """Method tables searched for ``owner.name``, in Ruby's order.

        The singleton class, the modules it extends, then - ActiveSupport::Concern
        style - ``class_methods`` blocks and ``ClassMethods`` modules of included
        modules, then the same for each superclass.
        """
        tables: list[tuple[dict[str, MethodSig], list[str]]] = []
        for cls in self.superclass_chain(owner):
            info = self.classes.get(cls)
            if info is None:
                break
            tables.append((info.singleton_methods, info.nonpublic_singleton_methods))
            for ext in reversed(info.extends):
                for mod in self.ancestors(ext):
                    mod_info = self.classes.get(mod)
                    if mod_info is not None:
                        tables.append((mod_info.instance_methods,
                                       mod_info.nonpublic_instance_methods))
            for inc in self.ancestors(cls)[1:]:
                inc_info = self.classes.get(inc)
                if inc_info is None:
                    continue
                if inc_info.class_methods:
                    tables.append((inc_info.class_methods, []))
                helper = self.classes.get(f"{inc}::ClassMethods")
                if helper is not None and inc_info.kind == "module":
                    tables.append((helper.instance_methods, helper.nonpublic_instance_methods))
        if with_hidden:
            return tables
        return [t for t, _ in tables]

    def _singleton_externals(self, owner: str) -> list[str]:
        names: list[str] = []
        for cls in self.superclass_chain(owner):
            info = self.classes.get(cls)
            if info is None:
                names.append(cls)  # external superclass, e.g. StandardError
                break
            names.extend(info.extends)
        return names

    def public_methods(self, owner: str, singleton: bool = False) -> dict[str, MethodSig]:
        """Every public gem method reachable on ``owner`` (own first, then inherited)."""
        owner = _norm(owner)
        result: dict[str, MethodSig] = {}
        if singleton:
            tables = self._singleton_tables(owner)
        else:
            tables = [
                info.instance_methods
                for anc in self.ancestors(owner)
                if (info := self.classes.get(anc)) is not None
            ]
        for table in tables:
            for name, sig in table.items():
                result.setdefault(name, sig)
        return dict(sorted(result.items()))
