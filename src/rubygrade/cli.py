"""The ``rubygrade`` command. Thin: parse arguments, call the library, print, set the exit code.

Exit codes: 0 success, 1 a gate failed (``--fail-under``, ``--min-tier``,
``check`` found errors), 2 usage errors and unreadable input. Errors are one
line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rubygrade import __version__

# Sub-command modules register themselves here: (module, function) pairs imported lazily.
_EXTRA_COMMANDS: tuple[tuple[str, str], ...] = (
    ("rubygrade.catalogue.cli", "register"),
)


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


def _add_grade(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("grade", help="grade a Rails repository")
    p.add_argument("path", nargs="?", default=".", help="repository folder (default: .)")
    p.add_argument("--format", "-f", default="text", help="text or json")
    p.add_argument("--output", "-o", help="write the report to this file instead of stdout")
    p.add_argument("--ruby-llm-version", help="catalogue version to check against")
    p.add_argument("--rubric", help="rubric TOML file (default: the shipped rubric)")
    p.add_argument("--brief", help="brief TOML file (default: the shipped brief)")
    p.add_argument("--verbose", "-v", action="store_true", help="text: show every finding")
    p.add_argument("--timings", action="store_true",
                   help="add phase timings to the diagnostics (makes output vary between runs)")
    p.set_defaults(func=_cmd_grade)


def _cmd_grade(args: argparse.Namespace) -> int:
    from rubygrade.brief import BriefError, load_brief
    from rubygrade.engine import Options, grade
    from rubygrade.project import ProjectError
    from rubygrade.render import FORMATS, render
    from rubygrade.rubric import RubricError, load_rubric

    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}; choose from {', '.join(FORMATS)}")
    try:
        options = Options(
            rubric=load_rubric(args.rubric) if args.rubric else None,
            brief=load_brief(args.brief) if args.brief else None,
            ruby_llm_version=args.ruby_llm_version,
            timings=args.timings,
        )
        report = grade(args.path, options)
    except (ProjectError, RubricError, BriefError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    out = render(report, args.format, verbose=args.verbose) if args.format == "text" \
        else render(report, args.format)
    _emit(out, args.output)
    return 0


def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rubygrade",
        description="Grade an AI-generated Rails + RubyLLM repository without running it.")
    parser.add_argument("--version", action="version", version=f"rubygrade {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_grade(sub)
    import importlib

    for module_name, function in _EXTRA_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        register: Callable[[argparse._SubParsersAction], None] = getattr(module, function)  # type: ignore[type-arg]
        register(sub)
    return parser



def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"rubygrade: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
