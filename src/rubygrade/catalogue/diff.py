"""What changed in the public API between two catalogued releases.

Used by ``rubygrade catalogue diff`` and handy for checkers that want to say
"``with_thinking`` needs ruby_llm >= 1.10.0". Methods are compared on the
class that defines them (not inherited copies), by their parameter lists.
"""

from __future__ import annotations

from typing import Any

from rubygrade.catalogue.model import Catalogue, ClassInfo, MethodSig


def _methods(info: ClassInfo) -> dict[str, MethodSig]:
    out = {f"{info.name}#{n}": m for n, m in info.instance_methods.items()}
    out.update({f"{info.name}.{n}": m for n, m in info.singleton_methods.items()})
    out.update({f"{info.name}.{n} (class_methods)": m for n, m in info.class_methods.items()})
    return out


def _constants(cat: Catalogue) -> set[str]:
    names = set(cat.classes)
    for info in cat.classes.values():
        names.update(f"{info.name}::{c}" for c in info.constants)
    return names


def diff_catalogues(a: Catalogue, b: Catalogue) -> dict[str, Any]:
    """Added / removed / changed classes, methods and constants from ``a`` to ``b``."""
    classes_a, classes_b = set(a.classes), set(b.classes)
    methods_a: dict[str, MethodSig] = {}
    methods_b: dict[str, MethodSig] = {}
    for info in a.classes.values():
        methods_a.update(_methods(info))
    for info in b.classes.values():
        methods_b.update(_methods(info))
    changed = []
    for name in sorted(set(methods_a) & set(methods_b)):
        pa, pb = methods_a[name].param_pairs(), methods_b[name].param_pairs()
        if pa != pb:
            changed.append({"name": name, "from": pa, "to": pb})
    changed_classes = []
    for name in sorted(classes_a & classes_b):
        ca, cb = a.classes[name], b.classes[name]
        if (ca.kind, ca.superclass) != (cb.kind, cb.superclass):
            changed_classes.append({
                "name": name, "from": {"kind": ca.kind, "superclass": ca.superclass},
                "to": {"kind": cb.kind, "superclass": cb.superclass},
            })
    consts_a = _constants(a) - classes_a
    consts_b = _constants(b) - classes_b
    return {
        "from": a.version,
        "to": b.version,
        "classes": {
            "added": sorted(classes_b - classes_a),
            "removed": sorted(classes_a - classes_b),
            "changed": changed_classes,
        },
        "methods": {
            "added": sorted(set(methods_b) - set(methods_a)),
            "removed": sorted(set(methods_a) - set(methods_b)),
            "changed": changed,
        },
        "constants": {
            "added": sorted(consts_b - consts_a),
            "removed": sorted(consts_a - consts_b),
        },
    }


def format_diff_text(d: dict[str, Any]) -> str:
    lines = [f"ruby_llm {d['from']} -> {d['to']}"]
    for section in ("classes", "methods", "constants"):
        part = d[section]
        lines.append(f"{section}:")
        for name in part["added"]:
            lines.append(f"  + {name}")
        for name in part["removed"]:
            lines.append(f"  - {name}")
        for change in part.get("changed", []):
            lines.append(f"  ~ {change['name']}: {change['from']} -> {change['to']}")
    return "\n".join(lines) + "\n"
