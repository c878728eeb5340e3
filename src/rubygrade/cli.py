"""The ``rubygrade`` command. Thin: parse arguments, call the library, print, set the exit code.

Exit codes, as linters use them: 0 success; 1 a gate failed (``--fail-under``,
``--min-tier``, ``check`` found an error; ``--exit-zero`` turns it into 0);
2 a usage error or unusable input (an unknown flag value or rule ID, an
invalid rubric, brief or config, a missing path, a folder that is not a Rails
app), always one line naming what was wrong and where; 3 an internal error,
one line with a hint to rerun with ``--debug``, which prints the traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from rubygrade import __version__

if TYPE_CHECKING:
    from rubygrade.brief import Brief
    from rubygrade.config import Config
    from rubygrade.engine import Options, Run
    from rubygrade.models import Report
    from rubygrade.project import Limits
    from rubygrade.rubric import Rubric

    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

# Sub-command modules register themselves here: (module, function) pairs imported lazily.
_EXTRA_COMMANDS: tuple[tuple[str, str], ...] = (
    ("rubygrade.catalogue.cli", "register"),
)
COLOR_CHOICES = ("auto", "always", "never")


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


# -- argparse, Ruff-style ----------------------------------------------------------------
class _Formatter(argparse.RawDescriptionHelpFormatter):
    """``Usage:`` and capitalised sections; sub-commands listed without a metavar line."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=min(100, _terminal_width()))

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="Usage: ")

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        metavar = self._format_args(action, self._get_default_metavar_for_optional(action))
        return f"{', '.join(action.option_strings)} {metavar}"

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            return "".join(super(_Formatter, self)._format_action(sub)
                           for sub in action._get_subactions())
        return super()._format_action(action)


def _terminal_width() -> int:
    try:
        return int(os.environ.get("COLUMNS", "")) or 100
    except ValueError:
        return 100


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other rubygrade error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        if kwargs.get("description"):
            kwargs["description"] = textwrap.fill(kwargs["description"], width=90)
        super().__init__(*args, **kwargs)
        self._positionals.title = "Arguments"
        self._optionals.title = "Options"
        self.add_argument("-h", "--help", action="help", help="Print help")

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("title", "Commands")
        kwargs.setdefault("parser_class", _Parser)
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        print(f"rubygrade: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _seconds(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 (no limit) or a number of seconds")
    return value


def _size(text: str) -> int:
    from rubygrade.batch import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_log_levels(p: argparse.ArgumentParser, *, verbose_help: str) -> None:
    g = p.add_argument_group("Log levels")
    g.add_argument("-v", "--verbose", action="store_true", help=verbose_help)
    g.add_argument("-q", "--quiet", action="store_true", help="Print the findings and the total only")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="Print the traceback of an internal error")


def _add_selection(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Rule selection")
    g.add_argument("--select", action="append", metavar="RULES",
                   help="Run only these rules: IDs or prefixes, comma-separated (RG4,RG201); "
                        "ALL for every rule")
    g.add_argument("--ignore", action="append", default=[], metavar="RULES",
                   help="Do not run these rules (IDs or prefixes)")
    g.add_argument("--baseline", metavar="REPORT",
                   help="Report only findings that are not in REPORT, a JSON report written by "
                        "`rubygrade grade -f json` (matched by fingerprint)")


def _add_config(p: argparse.ArgumentParser, *, catalogue: bool = True,
                suppressions: bool = False) -> None:
    g = p.add_argument_group("Configuration")
    g.add_argument("--config", metavar="FILE",
                   help="Read this configuration file (a .rubygrade.toml, or a pyproject.toml with "
                        "[tool.rubygrade]) instead of the repository's")
    g.add_argument("--no-config", action="store_true",
                   help="Ignore .rubygrade.toml / [tool.rubygrade] in the repository")
    if suppressions:
        g.add_argument("--no-suppressions", action="store_true",
                       help="Ignore rubygrade:disable comments in the repository (their findings "
                            "count)")
    g.add_argument("--rubric", metavar="FILE",
                   help="Rubric TOML file [default: the config's, else the shipped rubric]")
    g.add_argument("--brief", metavar="FILE",
                   help="Brief TOML file [default: the config's, else the shipped brief]")
    if catalogue:
        g.add_argument("--ruby-llm-version", metavar="X",
                       help="Check against this ruby_llm catalogue instead of the locked version "
                            "(see `rubygrade catalogue list`)")


def _add_output(p: argparse.ArgumentParser, *, statistics: bool = True) -> None:
    g = p.add_argument_group("Output")
    g.add_argument("-f", "--format", default="text", metavar="FORMAT",
                   help="text, json, sarif, markdown or html [default: text]")
    g.add_argument("-o", "--output", metavar="FILE", help="Write the output to FILE instead of stdout")
    g.add_argument("--source-url", metavar="URL",
                   help="Html: link file:line to URL + path + #Lline "
                        "(e.g. https://github.com/org/repo/blob/SHA/)")
    g.add_argument("--show-source", action="store_true",
                   help="Text: show the source line of each finding, with a caret at the column")
    if statistics:
        g.add_argument("--statistics", action="store_true",
                       help="Print the number of findings per rule instead of the report "
                            "(text or json)")
    _add_color(g)


def _add_color(g: argparse._ArgumentGroup) -> None:
    g.add_argument("--color", choices=COLOR_CHOICES, default="auto", metavar="WHEN",
                   help="Colour: auto (on a terminal, unless NO_COLOR is set), always or never "
                        "[default: auto]")


def _add_gates(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Gates (exit code 1)")
    g.add_argument("--fail-under", type=_finite, metavar="N", help="Fail when the total is below N")
    g.add_argument("--min-tier", metavar="TIER", help="Fail when the tier is below TIER (A, B, C, D)")
    g.add_argument("--exit-zero", action="store_true",
                   help="Exit 0 even when a gate fails (errors in the input still exit 2)")


_GRADE_EXAMPLES = """\
Examples:
  rubygrade grade                                  # the repository in the current folder
  rubygrade grade myapp --show-source              # text, with the flagged source lines
  rubygrade grade . --select RG2,RG4 --ignore RG208
  rubygrade grade . --statistics                   # how many findings per rule
  rubygrade grade . -f sarif -o rubygrade.sarif    # for GitHub code scanning
  rubygrade grade . -f json -o baseline.json       # record today's findings, then:
  rubygrade grade . --baseline baseline.json --fail-under 70 --min-tier B
"""

_CHECK_EXAMPLES = """\
The app is found from each file: its nearest folder, up to the repository root,
that holds config/application.rb (or a Gemfile beside app/). Files outside every
app are still checked for committed keys (RG803, RG110).

Examples:
  rubygrade check app/services/chat_service.rb     # what the pre-commit hook runs
  rubygrade check --root ~/src/shop apps/web/app/models/order.rb
  rubygrade check                                  # every finding of the repository
"""

_RULE_EXAMPLES = """\
Examples:
  rubygrade rule RG401
  rubygrade rule --all
  rubygrade rule RG801 --format json
"""

_MAIN_EPILOG = """\
Exit codes: 0 success, 1 a gate failed (or `check` found an error), 2 a usage error
or unusable input, 3 an internal error (rerun with --debug for the traceback).

For help with a specific command, see: `rubygrade help <command>`.
"""


def _add_grade(sub: _Subparsers) -> None:
    p = sub.add_parser(
        "grade", help="Grade a Rails repository: findings, eight scores, a total and a tier",
        description="Grade a Rails + RubyLLM repository without running it: findings with "
                    "file:line evidence, eight rubric dimension scores, a total out of 100 and a tier.",
        usage="rubygrade grade [OPTIONS] [PATH]", epilog=_GRADE_EXAMPLES)
    p.add_argument("path", nargs="?", default=".", metavar="PATH",
                   help="Repository folder [default: .]")
    _add_output(p)
    _add_selection(p)
    _add_config(p, suppressions=True)
    _add_gates(p)
    g = p.add_argument_group("Limits")
    g.add_argument("--max-file-bytes", type=_positive, metavar="BYTES", default=None,
                   help="Files larger than this are listed but not parsed [default: 2000000]")
    g.add_argument("--max-files", type=_positive, metavar="N", default=None,
                   help="Analyse at most N files; the rest are skipped [default: 20000]")
    g.add_argument("--timings", action="store_true",
                   help="Print where the time went (start-up, each phase, shared analysis and "
                        "rule) on stderr; the report is unchanged")
    _add_log_levels(p, verbose_help="Show every finding, fix hints, the score breakdown and the "
                                    "diagnostics")
    p.set_defaults(func=_cmd_grade)


def _add_check(sub: _Subparsers) -> None:
    c = sub.add_parser(
        "check", help="Hook mode: report findings in FILES only; exit 1 on an error",
        description="Report the findings located in FILES (the whole app is analysed for "
                    "context) and exit 1 when one of them is an error: what the pre-commit "
                    "hook runs.",
        usage="rubygrade check [OPTIONS] [FILES...]", epilog=_CHECK_EXAMPLES)
    c.add_argument("files", nargs="*", metavar="FILES",
                   help="Files to report on, relative to --root or absolute [default: all]")
    c.add_argument("--root", default=".", metavar="DIR", help="Repository root [default: .]")
    g = c.add_argument_group("Output")
    g.add_argument("--show-source", action="store_true",
                   help="Show the source line of each finding, with a caret at the column")
    _add_color(g)
    _add_selection(c)
    _add_config(c, catalogue=False)
    g = c.add_argument_group("Gates (exit code 1)")
    g.add_argument("--exit-zero", action="store_true", help="Exit 0 even when an error is found")
    _add_log_levels(c, verbose_help="Also print fix hints, skipped files and the diagnostics of FILES")
    c.set_defaults(func=_cmd_check)


def _add_rule(sub: _Subparsers) -> None:
    r = sub.add_parser("rule", help="Explain a rule (or list all rules with --all)",
                       description="Print a rule's documentation: what it finds, why it matters, "
                                   "an example and the fix.",
                       usage="rubygrade rule [OPTIONS] <RULE|--all>", epilog=_RULE_EXAMPLES)
    r.add_argument("rule", nargs="?", metavar="RULE", help="A rule ID, such as RG401")
    r.add_argument("--all", action="store_true", help="List every rule")
    r.add_argument("-f", "--format", choices=("text", "json"), default="text", metavar="FORMAT",
                   help="text or json [default: text]")
    g = r.add_argument_group("Log levels")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="Print the traceback of an internal error")
    r.set_defaults(func=_cmd_rule)


def _add_rescore(sub: _Subparsers) -> None:
    r = sub.add_parser("rescore", help="Re-score a stored JSON report under another rubric",
                       description="Score the findings and evidence of a stored JSON report again, "
                                   "under another rubric or brief, without the repository.",
                       usage="rubygrade rescore [OPTIONS] REPORT",
                       epilog="Examples:\n  rubygrade grade app -f json -o r.json\n"
                              "  rubygrade rescore r.json --rubric new.toml --fail-under 60\n")
    r.add_argument("report", metavar="REPORT",
                   help="A report written by `rubygrade grade --format json`")
    g = r.add_argument_group("Configuration")
    g.add_argument("--rubric", metavar="FILE", help="Rubric TOML file [default: the shipped rubric]")
    g.add_argument("--brief", metavar="FILE", help="Brief TOML file")
    _add_output(r)
    _add_gates(r)
    _add_log_levels(r, verbose_help="Show every finding, fix hints and the score breakdown")
    r.set_defaults(func=_cmd_rescore)


def _add_batch(sub: _Subparsers) -> None:
    b = sub.add_parser("batch", help="Grade every repository under DIR... in parallel",
                       description="Grade every sub-folder of each DIR (a DIR that is itself a "
                                   "repository is graded as one): one JSON line per repository, "
                                   "errors included, then a leaderboard sorted by total.",
                       usage="rubygrade batch [OPTIONS] DIR...",
                       epilog="Examples:\n  rubygrade batch results/ -j 2 --out results.jsonl "
                              "--leaderboard board.md\n"
                              "  rubygrade batch results/ --timeout 60 --memory-limit 2G\n"
                              "  rubygrade batch results/ --executor dask --scheduler "
                              "tcp://host:8786\n")
    b.add_argument("dirs", nargs="+", metavar="DIR", help="Folders holding one repository per sub-folder")
    g = b.add_argument_group("Output")
    g.add_argument("--out", metavar="FILE", help="JSON Lines file [default: stdout]")
    g.add_argument("--leaderboard", metavar="FILE",
                   help="Write a leaderboard: FILE.md, FILE.csv or FILE.html (html: plus one "
                        "report page per repository in FILE/)")
    g = b.add_argument_group("Configuration")
    g.add_argument("--rubric", metavar="FILE", help="Rubric TOML file")
    g.add_argument("--brief", metavar="FILE", help="Brief TOML file")
    g.add_argument("--use-repo-config", action="store_true",
                   help="Honour each repository's own configuration and rubygrade:disable comments "
                        "[default: ignored, so the grades compare]")
    g = b.add_argument_group("Execution")
    g.add_argument("-j", "--jobs", type=_positive, default=1, metavar="N",
                   help="Parallel processes [default: 1]")
    g.add_argument("--timeout", type=_seconds, default=120.0, metavar="SECONDS",
                   help="Stop grading a repository after this long; its line says so "
                        "[default: 120; 0: no limit]")
    g.add_argument("--memory-limit", type=_size, metavar="SIZE",
                   help="Address space of each grading process, e.g. 2G; a repository that "
                        "needs more gets an error line [default: no limit]")
    g.add_argument("--executor", choices=("process", "dask"), default="process",
                   metavar="EXECUTOR",
                   help="process: a pool of processes on this machine; dask: the workers of a "
                        "Dask cluster (pip install 'rubygrade[dask]') [default: process]")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="With --executor dask: the scheduler, e.g. tcp://host:8786 [default: "
                        "a local cluster of --jobs workers]")
    g.add_argument("--retries", type=_non_negative, default=2, metavar="N",
                   help="With --executor dask: times a repository is retried after its "
                        "task fails [default: 2]")
    g = b.add_argument_group("Log levels")
    g.add_argument("-q", "--quiet", action="store_true", help="No progress on stderr")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="Print the traceback of an internal error")
    b.set_defaults(func=_cmd_batch)


def _add_help(sub: _Subparsers, parser: argparse.ArgumentParser) -> None:
    h = sub.add_parser("help", help="Print this message or the help of the given command",
                       usage="rubygrade help [COMMAND]")
    h.add_argument("topic", nargs="?", metavar="COMMAND")

    def show(args: argparse.Namespace) -> int:
        if args.topic is None:
            parser.print_help()
            return 0
        try:
            parser.parse_args([args.topic, "--help"])
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    h.set_defaults(func=show)


# -- shared steps ------------------------------------------------------------------------
def _load_data(args: argparse.Namespace, config: Config | None = None,
               root: Path | None = None) -> tuple[Rubric | None, Brief | None]:
    """The rubric and brief named on the command line, else by the configuration."""
    from rubygrade.brief import load_brief
    from rubygrade.config import DataFileError
    from rubygrade.rubric import load_rubric

    try:
        rubric_path = args.rubric or (
            config.resolve(root, config.rubric) if config and root and config.rubric else None)
        brief_path = args.brief or (
            config.resolve(root, config.brief) if config and root and config.brief else None)
        rubric = load_rubric(rubric_path) if rubric_path else None
        brief = load_brief(brief_path) if brief_path else None
    except DataFileError as exc:
        raise UsageError(str(exc)) from None
    return rubric, brief


def _config(args: argparse.Namespace, root: Path) -> Config:
    """``--config FILE``, else the repository's (``--no-config``: none); validated now."""
    from rubygrade.config import Config, DataFileError, load_config, load_config_file

    try:
        if args.config:
            return load_config_file(args.config)
        if args.no_config or not root.is_dir():
            return Config()
        return load_config(root)
    except DataFileError as exc:
        raise UsageError(str(exc)) from None


def _disabled(args: argparse.Namespace) -> frozenset[str]:
    from rubygrade.selection import disabled_rules, problem, split

    for flag, values in (("--select", args.select or []), ("--ignore", args.ignore)):
        for selector in split(values):
            why = problem(selector)
            if why:
                raise UsageError(f"{flag}: {why}")
    return disabled_rules(split(args.select) if args.select else None, split(args.ignore))


def _baseline(args: argparse.Namespace) -> frozenset[str] | None:
    from rubygrade.baseline import BaselineError, load

    if not args.baseline:
        return None
    try:
        return load(args.baseline)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _check_version(version: str | None) -> None:
    if version is None:
        return
    from rubygrade.catalogue.store import available_versions

    versions = available_versions()
    if version not in versions:
        span = f"{versions[0]} to {versions[-1]}" if versions else "none"
        raise UsageError(f"--ruby-llm-version {version[:40]!r}: no catalogue for this version "
                         f"(catalogued: {span}; see `rubygrade catalogue list`)")


def _check_tier(args: argparse.Namespace, rubric: Rubric | None) -> None:
    from rubygrade.rubric import load_rubric

    if args.min_tier is None:
        return
    active = rubric or load_rubric()
    if args.min_tier not in active.tiers:
        raise UsageError(f"--min-tier {args.min_tier!r}: unknown tier; the rubric has "
                         f"{', '.join(sorted(active.tiers))}")


def _check_format(args: argparse.Namespace) -> None:
    from rubygrade.render import FORMATS

    if args.format not in FORMATS:
        raise UsageError(f"--format {args.format!r}: unknown format; choose from {', '.join(FORMATS)}")
    if getattr(args, "statistics", False) and args.format not in ("text", "json"):
        raise UsageError("--statistics prints text or json; drop --format or use -f json")
    if getattr(args, "source_url", None) is not None:
        from rubygrade.render.html import SourceUrlError, validate_source_url

        if args.format != "html":
            raise UsageError("--source-url applies to --format html only")
        try:
            validate_source_url(args.source_url)
        except SourceUrlError as exc:
            raise UsageError(str(exc)) from None


def _limits(args: argparse.Namespace) -> Limits:
    from rubygrade.project import Limits

    defaults = Limits()
    return Limits(max_file_bytes=args.max_file_bytes or defaults.max_file_bytes,
                  max_files=args.max_files or defaults.max_files)


def _grade(path: str, options: Options) -> Report:
    from rubygrade.config import DataFileError
    from rubygrade.engine import grade
    from rubygrade.project import ProjectError

    try:
        return grade(path, options)
    except (ProjectError, DataFileError) as exc:
        raise UsageError(str(exc)) from None


def _analyse(path: str, options: Options) -> Run:
    """``_grade`` for ``--timings``: the whole run, with its timings."""
    from rubygrade.config import DataFileError
    from rubygrade.engine import analyse
    from rubygrade.project import ProjectError

    try:
        return analyse(path, options)
    except (ProjectError, DataFileError) as exc:
        raise UsageError(str(exc)) from None


def _colour(args: argparse.Namespace, stream: Any, to_file: bool = False) -> bool:
    """``--color``: always/never; auto is a terminal without NO_COLOR (https://no-color.org)."""
    if args.color == "always":
        return True
    if args.color == "never" or to_file:
        return False
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _lines_reader(root: Path) -> Callable[[str], list[str] | None]:
    """A file's lines for --show-source (names in a report are repo-relative)."""
    cache: dict[str, list[str] | None] = {}

    def lines_of(path: str) -> list[str] | None:
        if path not in cache:
            try:
                cache[path] = (root / path).read_bytes().decode("utf-8", errors="replace").splitlines()
            except (OSError, ValueError):
                cache[path] = None
        return cache[path]

    return lines_of


def repository_prefix(folder: Path) -> str:
    """The graded folder relative to its git repository's root ("" at the root or outside git).

    Found by looking for ``.git`` in the folder and its parents (no process is started).
    """
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            rel = here.relative_to(candidate).as_posix()
            return "" if rel == "." else rel + "/"
    return ""


def _output(report: Report, args: argparse.Namespace, root: Path | None = None) -> None:
    from rubygrade.render import render
    from rubygrade.render.text import render_statistics, statistics

    if getattr(args, "statistics", False):
        if args.format == "json":
            import json

            rows = [{"code": r, "name": n, "severity": s, "count": c} for r, s, n, c in statistics(report)]
            text = json.dumps(rows, indent=2) + "\n"
        else:
            text = render_statistics(report)
        _emit(text, args.output)
        return
    options: dict[str, object] = {
        "verbose": args.verbose, "quiet": args.quiet, "show_source": args.show_source,
        "colour": _colour(args, sys.stdout, to_file=bool(args.output)),
        "source_url": getattr(args, "source_url", None),
    }
    if root is not None:
        options["lines_of"] = _lines_reader(root)
        options["root_prefix"] = repository_prefix(root)
    _emit(render(report, args.format, **options), args.output)


def gate_failures(report: Report, fail_under: float | None, min_tier: str | None,
                  rubric: Rubric | None) -> list[str]:
    """What the quality gates say about ``report`` (empty: they pass)."""
    from rubygrade.rubric import load_rubric

    failed = []
    if fail_under is not None and report.total < fail_under:
        failed.append(f"total {report.total:g} is below --fail-under {fail_under:g}")
    if min_tier:
        active = rubric or load_rubric()
        try:
            if not active.meets_tier(report.tier, min_tier):
                failed.append(f"tier {report.tier} is below --min-tier {min_tier}")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    return failed


def _gates(report: Report, args: argparse.Namespace, rubric: Rubric | None) -> int:
    failed = gate_failures(report, args.fail_under, args.min_tier, rubric)
    for message in failed:
        print(f"rubygrade: gate failed: {message}", file=sys.stderr)
    return 1 if failed and not args.exit_zero else 0


# -- commands ----------------------------------------------------------------------------
def _cmd_grade(args: argparse.Namespace) -> int:
    from rubygrade.engine import Options

    _check_format(args)
    _check_version(args.ruby_llm_version)
    root = Path(args.path)
    config = _config(args, root)
    rubric, brief = _load_data(args, config, root)
    _check_tier(args, rubric)
    # The engine resolves the configuration's own rubric and brief, so the report names
    # the repository (or --config) as their source; only the flags' are the caller's.
    options = Options(rubric=rubric if args.rubric else None, brief=brief if args.brief else None,
                      ruby_llm_version=args.ruby_llm_version,
                      timings=args.timings, use_config=False, config=config,
                      use_suppressions=not args.no_suppressions, caller="command_line",
                      limits=_limits(args), disabled_rules=_disabled(args),
                      baseline=_baseline(args), baseline_label=Path(args.baseline or "x").name)
    if not args.timings:
        report = _grade(args.path, options)
        _require_rails(report, args)
        _output(report, args, root)
        return _gates(report, args, rubric)
    import time

    from rubygrade import timings

    started = timings.startup()
    run = _analyse(args.path, options)
    _require_rails(run.report, args)
    clock = time.perf_counter()
    _output(run.report, args, root)
    timings.format_table({**started, **run.timings, "render": time.perf_counter() - clock})
    return _gates(run.report, args, rubric)


def _require_rails(report: Report, args: argparse.Namespace) -> None:
    if report.app_root is None:
        raise UsageError(f"{args.path}: not a Rails app (no config/application.rb, and no Gemfile "
                         "beside an app/ folder, at the root or one folder down)")


def _cmd_rescore(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from rubygrade.models import Report
    from rubygrade.rubric import load_rubric
    from rubygrade.scorer import rescore

    _check_format(args)
    rubric, brief = _load_data(args)
    _check_tier(args, rubric)
    try:
        stored = Report.model_validate_json(Path(args.report).read_bytes())
    except OSError as exc:
        raise UsageError(f"{args.report}: cannot read: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise UsageError(f"{args.report}: not a rubygrade JSON report: {where}: {first['msg']}") from None
    active = rubric or load_rubric()
    report = rescore(stored, active, brief, source="command_line")
    _output(report, args)
    return _gates(report, args, active)


def _cmd_check(args: argparse.Namespace) -> int:
    from rubygrade.engine import Options
    from rubygrade.hook import CheckError, check
    from rubygrade.render.text import _Painter, diagnostic_line, finding_line, source_block
    from rubygrade.safetext import printable

    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: not a folder")
    config = _config(args, root)
    rubric, brief = _load_data(args, config, root)
    options = Options(rubric=rubric if args.rubric else None, brief=brief if args.brief else None,
                      use_config=False, config=config, caller="command_line",
                      disabled_rules=_disabled(args), baseline=_baseline(args),
                      baseline_label=Path(args.baseline or "x").name)
    paint = _Painter(_colour(args, sys.stdout))
    if args.files:
        try:
            result = check(root, args.files, options)
        except CheckError as exc:
            raise UsageError(str(exc)) from None
        shown, skipped, diagnostics = result.findings, result.skipped, result.diagnostics
    else:
        report = _grade(str(root), options)
        if report.app_root is None:
            raise UsageError(f"{args.root}: not a Rails app; give the files to check, and the app "
                             "is found from each")
        shown = [f for f in report.findings if not f.suppressed]
        skipped, diagnostics = [], [d for d in report.diagnostics if d.kind not in ("timing", "project")]
    lines_of = _lines_reader(root)
    for f in shown:
        print(finding_line(f, paint))
        if args.show_source:
            print("\n".join(source_block(f, lines_of, paint)))
        if f.fix and not args.quiet:
            print(f"    fix: {printable(f.fix)}")
    errors = sum(1 for f in shown if f.severity.value == "error")
    crashed = [d for d in diagnostics if d.kind == "internal"]
    for d in crashed:  # a check that did not run must not pass the commit
        print(f"rubygrade: internal error: {d.message} (the commit is refused: a check did not run; "
              "--ignore the rule to go on, and rerun with --debug to report it)", file=sys.stderr)
    if not args.quiet:
        for name, why in skipped:
            print(f"rubygrade: skipped {printable(name)}: {why}", file=sys.stderr)
        if args.verbose:
            for d in diagnostics:
                print(f"rubygrade: {diagnostic_line(d)}", file=sys.stderr)
        if shown:
            print(f"rubygrade: {len(shown)} finding(s), {errors} error(s)", file=sys.stderr)
    if crashed:
        return 3
    return 1 if errors and not args.exit_zero else 0


def _cmd_rule(args: argparse.Namespace) -> int:
    import json

    from rubygrade.docsgen import RuleDocError, parse_rule_doc, rule_page
    from rubygrade.links import rule_doc_url
    from rubygrade.rubric import load_rubric
    from rubygrade.selection import find_rule, problem, registered_rules

    if args.all == bool(args.rule):
        raise UsageError("give a rule ID (rubygrade rule RG401) or --all")
    if args.all:
        rules = registered_rules()
        if args.format == "json":
            _emit(json.dumps([_rule_json(r) for r in rules], indent=2) + "\n", None)
            return 0
        width = max(len(r.name) for r in rules)
        for r in rules:
            print(f"{r.id}  {r.name:<{width}}  {r.severity.value:<7}  {r.dimension.value:<12}  "
                  f"{r.summary()}")
        return 0
    why = problem(args.rule, prefixes=False)
    rule = find_rule(args.rule)
    if why or rule is None:
        raise UsageError(why or f"unknown rule ID {args.rule!r}")
    if args.format == "json":
        data = _rule_json(rule)
        try:
            data["explanation"] = parse_rule_doc(rule).markdown_body()
        except RuleDocError:
            pass
        _emit(json.dumps(data, indent=2) + "\n", None)
        return 0
    page = rule_page(rule.meta(), load_rubric())
    page = "\n".join(line for line in page.splitlines() if not line.startswith("<!--")).strip()
    _emit(f"{page}\n\nOnline: {rule_doc_url(rule.id)}\n", None)
    return 0


def _rule_json(rule: Any) -> dict[str, Any]:
    from rubygrade.links import rule_doc_url

    return {"code": rule.id, "name": rule.name, "summary": rule.summary(),
            "dimension": rule.dimension.value, "severity": rule.severity.value,
            "confidence": rule.confidence.value, "status": rule.status, "url": rule_doc_url(rule.id)}


def _cmd_batch(args: argparse.Namespace) -> int:
    from rubygrade import batch

    if args.leaderboard and not args.leaderboard.endswith((".md", ".csv", ".html")):
        raise UsageError(f"--leaderboard {args.leaderboard}: must name a .md, .csv or .html file")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    _load_data(args)  # fail early, once, on an invalid rubric or brief
    repos = batch.discover(args.dirs)
    progress = None if args.quiet else batch.stderr_progress()
    timeout, memory_limit = args.timeout or None, args.memory_limit or 0
    if args.executor == "dask":
        try:
            lines_iter = batch.run_dask(repos, scheduler=args.scheduler, jobs=args.jobs,
                                        rubric=args.rubric, brief=args.brief, progress=progress,
                                        retries=args.retries, timeout=timeout,
                                        memory_limit=memory_limit,
                                        use_repo_config=args.use_repo_config,
                                        caller="command_line")
        except ImportError as exc:
            raise UsageError(f"--executor dask: {exc}") from None
    else:
        lines_iter = batch.run(repos, args.jobs, args.rubric, args.brief, progress,
                               timeout=timeout, memory_limit=memory_limit,
                               use_repo_config=args.use_repo_config, caller="command_line")
    # The HTML leaderboard writes a report page per repository, so it keeps each line whole;
    # the other leaderboards keep the summaries only, and memory stays flat on a long batch.
    whole = bool(args.leaderboard and args.leaderboard.endswith(".html"))
    lines = []
    try:
        sink = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot write: {exc.strerror}") from None
    try:
        for line in lines_iter:
            sink.write(batch.dumps_line(line))
            if whole:
                lines.append(line)
            elif args.leaderboard:
                lines.append({k: v for k, v in line.items() if k != "report"})
            sink.flush()
    finally:
        if sink is not sys.stdout:
            sink.close()
    if args.leaderboard and args.leaderboard.endswith(".html"):
        _write_html_leaderboard(lines, Path(args.leaderboard), quiet=args.quiet)
    elif args.leaderboard:
        fmt = "csv" if args.leaderboard.endswith(".csv") else "md"
        _emit(batch.leaderboard(lines, fmt), args.leaderboard)
    return 0


def _write_html_leaderboard(lines: list[dict[str, Any]], board: Path, quiet: bool) -> None:
    from rubygrade.render.html import write_leaderboard

    try:
        written = write_leaderboard(lines, board)
    except OSError as exc:
        raise UsageError(f"{exc.filename or board}: cannot write: {exc.strerror}") from None
    if not quiet and len(written) > 1:
        print(f"rubygrade: wrote {board} and {len(written) - 1} report page(s) in "
              f"{written[1].parent}/", file=sys.stderr)


def _emit(text: str, output: str | None) -> None:
    from rubygrade.safetext import no_surrogates

    text = no_surrogates(text)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rubygrade", usage="rubygrade [OPTIONS] <COMMAND>",
        description="rubygrade: grade an AI-generated Rails + RubyLLM repository without running it.",
        epilog=_MAIN_EPILOG)
    parser.add_argument("-V", "--version", action="version", version=f"rubygrade {__version__}",
                        help="Print the version")
    parser.add_argument("--debug", action="store_true", help="Print the traceback of an internal error")
    sub = cast("_Subparsers", parser.add_subparsers(
        dest="command", title="Commands", metavar="COMMAND", parser_class=_Parser, prog="rubygrade"))
    _add_grade(sub)
    _add_check(sub)
    _add_rule(sub)
    _add_rescore(sub)
    _add_batch(sub)
    import importlib

    for module_name, function in _EXTRA_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        register: Callable[[_Subparsers], object] = getattr(module, function)
        register(sub)
    _add_help(sub, parser)
    return parser


def _internal_error(exc: BaseException, debug: bool) -> int:
    if debug:
        import traceback  # only --debug prints one

        traceback.print_exception(exc, file=sys.stderr)
    first = (str(exc).splitlines() or [""])[0][:300]
    hint = "" if debug else " (rerun with --debug for the traceback)"
    print(f"rubygrade: internal error: {type(exc).__name__}: {first}{hint}", file=sys.stderr)
    return 3


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
            return int(exc.code or 0)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args))
    except UsageError as exc:
        print(f"rubygrade: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``rubygrade grade | head``): stop quietly, and keep Python
        # from failing again while flushing stdout at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 3
        return _internal_error(exc, debug)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
