"""``rubygrade catalogue ...``: build, list, show and diff catalogues from the shell.

The main CLI calls :func:`register` with its subparsers and dispatches
``args.func(args)``, which returns an exit code. Unknown versions or names exit
with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rubygrade.catalogue.diff import diff_catalogues, format_diff_text
from rubygrade.catalogue.model import Catalogue, MethodSig
from rubygrade.catalogue.store import available_versions, load_catalogue, write_catalogue
from rubygrade.paths import catalogue_dir


class CatalogueError(Exception):
    """A user error: reported in one line, exit status 2."""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``catalogue`` command (with build/list/show/diff) to ``subparsers``."""
    parser = subparsers.add_parser("catalogue", help="List, show, diff and build the ruby_llm API catalogues")
    parser.set_defaults(func=_no_subcommand(parser))
    sub = parser.add_subparsers(dest="catalogue_command", metavar="COMMAND")

    build = sub.add_parser("build", help="catalogue a gem folder (GEM_DIR or GEM_DIR/lib)")
    build.add_argument("gem_dir", type=Path, metavar="GEM_DIR")
    build.add_argument("--version", required=True, dest="gem_version")
    build.add_argument("--commit")
    build.add_argument("--out", type=Path, help="output file (default: the catalogue folder)")
    build.set_defaults(func=_guard(cmd_build))

    lst = sub.add_parser("list", help="list catalogued versions")
    lst.set_defaults(func=_guard(cmd_list))

    show = sub.add_parser("show", help="show a class (RubyLLM::Chat) or method "
                                       "(RubyLLM::Chat#ask, RubyLLM.chat)")
    show.add_argument("gem_version", metavar="VERSION")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(func=_guard(cmd_show))

    diff = sub.add_parser("diff", help="API changes between two versions")
    diff.add_argument("version_a", metavar="A")
    diff.add_argument("version_b", metavar="B")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(func=_guard(cmd_diff))
    return parser


def main_catalogue(args: list[str] | argparse.Namespace | None = None) -> int:
    """Run the catalogue command on its own: ``main_catalogue(["show", "1.14.1", "RubyLLM"])``."""
    if isinstance(args, argparse.Namespace):
        return int(args.func(args))
    top = argparse.ArgumentParser(prog="rubygrade")
    register(top.add_subparsers(dest="command"))
    argv = list(sys.argv[1:] if args is None else args)
    if not argv or argv[0] != "catalogue":
        argv = ["catalogue", *argv]
    ns = top.parse_args(argv)
    return int(ns.func(ns))


# -- commands -------------------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    from rubygrade.catalogue.extractor import build_catalogue

    gem_dir: Path = args.gem_dir
    lib = gem_dir / "lib" if (gem_dir / "lib").is_dir() else gem_dir
    if not lib.is_dir():
        raise CatalogueError(f"{gem_dir} is not a folder")
    catalogue = build_catalogue(lib, args.gem_version, args.commit)
    out = args.out or (catalogue_dir() / f"{args.gem_version}.json")
    write_catalogue(catalogue, out)
    print(f"wrote {out} ({len(catalogue.classes)} classes)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for version in available_versions():
        cat = load_catalogue(version)
        print(f"{version}\t{(cat.commit or '-')[:12]}\t{len(cat.classes)} classes")
    return 0


def _load(version: str) -> Catalogue:
    try:
        return load_catalogue(version)
    except ValueError as exc:
        raise CatalogueError(str(exc)) from None


def _split(name: str) -> tuple[str, str | None, bool]:
    """``A::B#m`` -> (A::B, m, False); ``A::B.m`` -> (A::B, m, True); ``A::B`` -> (A::B, None)."""
    if "#" in name:
        owner, _, meth = name.partition("#")
        return owner, meth, False
    head, dot, tail = name.rpartition(".")
    if dot and head and tail and not tail[0].isupper():
        return head, tail, True
    return name, None, False


def method_json(name: str, sig: MethodSig) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "params": sig.param_pairs()}
    for key in ("returns", "forwards_to", "alias_of", "defined_in"):
        value = getattr(sig, key)
        if value:
            data[key] = value
    data["takes_block"] = sig.takes_block or sig.yields
    if sig.dynamic:
        data["dynamic"] = True
    return data


def class_json(cat: Catalogue, fq: str) -> dict[str, Any]:
    info = cat.classes[fq]
    return {
        "name": fq,
        "kind": info.kind,
        "superclass": info.superclass,
        "includes": info.includes,
        "extends": info.extends,
        "ancestors": cat.ancestors(fq),
        "constants": info.constants,
        "open": cat.is_open(fq),
        "instance_methods": {n: {"params": m.param_pairs()}
                             for n, m in cat.public_methods(fq).items()},
        "singleton_methods": {n: {"params": m.param_pairs()}
                              for n, m in cat.public_methods(fq, singleton=True).items()},
    }


def _signature_text(sig: MethodSig) -> str:
    parts = []
    for p in sig.params:
        parts.append({
            "req": p.name, "opt": f"{p.name} = ?", "rest": f"*{p.name.lstrip('*')}",
            "keyreq": f"{p.name}:", "key": f"{p.name}: ?", "keyrest": f"**{p.name.lstrip('*')}",
            "block": f"&{p.name.lstrip('&')}", "nokey": "**nil",
        }[p.kind])
    return f"({', '.join(parts)})"


def cmd_show(args: argparse.Namespace) -> int:
    cat = _load(args.gem_version)
    owner, meth, singleton = _split(args.name.strip())
    owner = owner.removeprefix("::")
    if owner not in cat.classes:
        raise CatalogueError(f"{owner} is not a class or module of ruby_llm {cat.version}")
    if meth is None:
        data = class_json(cat, owner)
        if args.format == "json":
            print(json.dumps(data, indent=2, sort_keys=True))
            return 0
        sup = f" < {data['superclass']}" if data["superclass"] else ""
        print(f"{data['kind']} {owner}{sup}  (ruby_llm {cat.version})")
        for label, side in (("instance", False), ("singleton", True)):
            for n, entry in cat.public_methods(owner, singleton=side).items():
                sep = "." if side else "#"
                print(f"  {sep}{n}{_signature_text(entry)}  [{label}, {entry.defined_in}]")
        return 0
    table = cat.public_methods(owner, singleton=singleton)
    sig = table.get(meth)
    if sig is None:
        sep = "." if singleton else "#"
        raise CatalogueError(f"{owner}{sep}{meth} is not a public method in ruby_llm {cat.version}")
    data = method_json(args.name.strip(), sig)
    if args.format == "json":
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        extra = f" -> {sig.returns}" if sig.returns else ""
        print(f"{args.name.strip()}{_signature_text(sig)}{extra}  ({sig.defined_in})")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    a, b = _load(args.version_a), _load(args.version_b)
    d = diff_catalogues(a, b)
    if args.format == "json":
        print(json.dumps(d, indent=2, sort_keys=True))
    else:
        sys.stdout.write(format_diff_text(d))
    return 0


# -- plumbing ------------------------------------------------------------------------------
def _guard(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except CatalogueError as exc:
            print(f"rubygrade catalogue: error: {exc}", file=sys.stderr)
            return 2
    return run


def _no_subcommand(parser: argparse.ArgumentParser):
    def run(args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print("rubygrade catalogue: error: choose build, list, show or diff", file=sys.stderr)
        return 2
    return run
