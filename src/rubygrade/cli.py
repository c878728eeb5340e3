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
from typing import TYPE_CHECKING

from rubygrade import __version__

if TYPE_CHECKING:
    from rubygrade.brief import Brief
    from rubygrade.engine import Options, Run
    from rubygrade.models import Report
    from rubygrade.project import Limits
    from rubygrade.rubric import Rubric

    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

# Sub-command modules register themselves here: (module, function) pairs imported lazily.
_EXTRA_COMMANDS: tuple[tuple[str, str], ...] = (
    ("rubygrade.catalogue.cli", "register"),
)


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", default="text", help="text, json, sarif or markdown")
    p.add_argument("--output", "-o", help="write the report to this file instead of stdout")
    p.add_argument("--verbose", "-v", action="store_true", help="text: show every finding")


def _add_gates(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fail-under", type=float, metavar="N",
                   help="exit 1 when the total is below N")
    p.add_argument("--min-tier", metavar="TIER", help="exit 1 when the tier is below TIER (A, B, C, D)")


def _add_grade(sub: _Subparsers) -> None:
    p = sub.add_parser("grade", help="grade a Rails repository")
    p.add_argument("path", nargs="?", default=".", help="repository folder (default: .)")
    _add_output_options(p)
    _add_gates(p)
    p.add_argument("--ruby-llm-version", help="catalogue version to check against")
    p.add_argument("--rubric", help="rubric TOML file (default: the config's, else the shipped rubric)")
    p.add_argument("--brief", help="brief TOML file (default: the config's, else the shipped brief)")
    p.add_argument("--no-config", action="store_true",
                   help="ignore [tool.rubygrade] / .rubygrade.toml in the repository")
    p.add_argument("--timings", action="store_true",
                   help="print where the time went (start-up, each phase, analysis and rule) "
                        "on stderr; the report is unchanged")
    p.add_argument("--max-file-bytes", type=int, metavar="BYTES", default=None,
                   help="files larger than this are listed but not parsed (default: 2000000)")
    p.add_argument("--max-files", type=int, metavar="N", default=None,
                   help="analyse at most N files; the rest are skipped (default: 20000)")
    p.set_defaults(func=_cmd_grade)

    c = sub.add_parser("check", help="hook mode: report findings in FILES only; exit 1 on errors")
    c.add_argument("files", nargs="*", help="repo-relative files to report on (default: all)")
    c.add_argument("--root", default=".", help="repository root (default: .)")
    c.add_argument("--rubric", help="rubric TOML file")
    c.add_argument("--brief", help="brief TOML file")
    c.set_defaults(func=_cmd_check)

    r = sub.add_parser("rescore", help="re-score a stored JSON report under another rubric")
    r.add_argument("report", help="a report written by `rubygrade grade --format json`")
    r.add_argument("--rubric", help="rubric TOML file (default: the shipped rubric)")
    r.add_argument("--brief", help="brief TOML file")
    _add_output_options(r)
    _add_gates(r)
    r.set_defaults(func=_cmd_rescore)

    b = sub.add_parser("batch", help="grade every repository under DIR... in parallel")
    b.add_argument("dirs", nargs="+", metavar="DIR", help="folders holding one repository per sub-folder")
    b.add_argument("--jobs", "-j", type=int, default=1, help="parallel processes (default: 1)")
    b.add_argument("--out", help="JSON Lines file (default: stdout)")
    b.add_argument("--leaderboard", help="write a leaderboard: FILE.md or FILE.csv")
    b.add_argument("--rubric", help="rubric TOML file")
    b.add_argument("--brief", help="brief TOML file")
    b.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    b.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="stop grading a repository after this long; its line says so "
                        "(default: 120; 0: no limit)")
    b.add_argument("--memory-limit", metavar="SIZE",
                   help="address space of each grading process, e.g. 2G; a repository that "
                        "needs more gets an error line (default: no limit)")
    b.add_argument("--executor", choices=("process", "dask"), default="process",
                   help="process: a pool of processes on this machine (default); dask: the "
                        "workers of a Dask cluster (pip install 'rubygrade[dask]')")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --executor dask: the scheduler, e.g. tcp://host:8786 (default: "
                        "a local cluster of --jobs workers)")
    b.add_argument("--retries", type=int, default=2,
                   help="with --executor dask: times a repository is retried after its "
                        "worker is lost (default: 2)")
    b.set_defaults(func=_cmd_batch)


def _load_data(args: argparse.Namespace) -> tuple[Rubric | None, Brief | None]:
    from rubygrade.brief import load_brief
    from rubygrade.config import DataFileError
    from rubygrade.rubric import load_rubric

    try:
        rubric = load_rubric(args.rubric) if getattr(args, "rubric", None) else None
        brief = load_brief(args.brief) if getattr(args, "brief", None) else None
    except DataFileError as exc:
        raise UsageError(str(exc)) from None
    return rubric, brief


def _grade(path: str, options: Options) -> Report:
    return _analyse(path, options).report


def _analyse(path: str, options: Options) -> Run:
    from rubygrade.config import DataFileError
    from rubygrade.engine import analyse
    from rubygrade.project import ProjectError

    try:
        return analyse(path, options)
    except (ProjectError, DataFileError) as exc:
        raise UsageError(str(exc)) from None


def _output(report: Report, args: argparse.Namespace) -> None:
    from rubygrade.render import FORMATS, render

    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}; choose from {', '.join(FORMATS)}")
    options = {"verbose": args.verbose} if args.format == "text" else {}
    _emit(render(report, args.format, **options), args.output)


def _gates(report: Report, args: argparse.Namespace, rubric: object) -> int:
    from rubygrade.rubric import Rubric, load_rubric

    failed = []
    if args.fail_under is not None and report.total < args.fail_under:
        failed.append(f"total {report.total:g} is below --fail-under {args.fail_under:g}")
    if args.min_tier:
        active = rubric if isinstance(rubric, Rubric) else load_rubric()
        try:
            if not active.meets_tier(report.tier, args.min_tier):
                failed.append(f"tier {report.tier} is below --min-tier {args.min_tier}")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    for message in failed:
        print(f"rubygrade: gate failed: {message}", file=sys.stderr)
    return 1 if failed else 0


def _check_format(args: argparse.Namespace) -> None:
    from rubygrade.render import FORMATS

    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}; choose from {', '.join(FORMATS)}")


def _limits(args: argparse.Namespace) -> Limits:
    from rubygrade.project import Limits

    defaults = Limits()
    for flag in ("max_file_bytes", "max_files"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UsageError(f"--{flag.replace('_', '-')} must be a positive number")
    return Limits(max_file_bytes=args.max_file_bytes or defaults.max_file_bytes,
                  max_files=args.max_files or defaults.max_files)


def _cmd_grade(args: argparse.Namespace) -> int:
    from rubygrade.engine import Options

    _check_format(args)
    rubric, brief = _load_data(args)
    options = Options(rubric=rubric, brief=brief, ruby_llm_version=args.ruby_llm_version,
                      timings=args.timings, use_config=not args.no_config,
                      limits=_limits(args))
    if not args.timings:
        report = _grade(args.path, options)
        _output(report, args)
        return _gates(report, args, rubric)
    import time

    from rubygrade import timings

    started = timings.startup()
    run = _analyse(args.path, options)
    clock = time.perf_counter()
    _output(run.report, args)
    timings.format_table({**started, **run.timings, "render": time.perf_counter() - clock})
    return _gates(run.report, args, rubric)


def _cmd_rescore(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from rubygrade.models import Report
    from rubygrade.rubric import load_rubric
    from rubygrade.scorer import rescore

    _check_format(args)
    rubric, brief = _load_data(args)
    try:
        stored = Report.model_validate_json(Path(args.report).read_bytes())
    except OSError as exc:
        raise UsageError(f"{args.report}: cannot read: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise UsageError(f"{args.report}: not a rubygrade JSON report: {where}: {first['msg']}") from None
    active = rubric or load_rubric()
    report = rescore(stored, active, brief)
    _output(report, args)
    return _gates(report, args, active)


def _cmd_check(args: argparse.Namespace) -> int:
    from rubygrade.engine import Options

    rubric, brief = _load_data(args)
    root = Path(args.root)
    wanted = {_repo_relative(root, f) for f in args.files}
    report = _grade(str(root), Options(rubric=rubric, brief=brief))
    shown = [f for f in report.findings if not f.suppressed and (not wanted or f.path in wanted)]
    for f in shown:
        print(f"{f.path}:{f.line}:{f.column}: {f.rule_id} [{f.severity.value}] {f.message}")
        if f.fix:
            print(f"    fix: {f.fix}")
    errors = sum(1 for f in shown if f.severity.value == "error")
    if shown:
        print(f"rubygrade: {len(shown)} finding(s), {errors} error(s)", file=sys.stderr)
    return 1 if errors else 0


def _repo_relative(root: Path, name: str) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            return path.as_posix()
    return path.as_posix().removeprefix("./")


def _cmd_batch(args: argparse.Namespace) -> int:
    from rubygrade import batch

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.leaderboard and not args.leaderboard.endswith((".md", ".csv")):
        raise UsageError("--leaderboard must name a .md or .csv file")
    if args.timeout < 0:
        raise UsageError("--timeout must be 0 (no limit) or a number of seconds")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    try:
        memory_limit = batch.parse_size(args.memory_limit) if args.memory_limit else 0
    except ValueError as exc:
        raise UsageError(f"--memory-limit: {exc}") from None
    _load_data(args)  # fail early, once, on an invalid rubric or brief
    repos = batch.discover(args.dirs)
    progress = None if args.quiet else batch.stderr_progress()
    limits = {"timeout": args.timeout or None, "memory_limit": memory_limit}
    if args.executor == "dask":
        try:
            lines_iter = batch.run_dask(repos, scheduler=args.scheduler, jobs=args.jobs,
                                        rubric=args.rubric, brief=args.brief, progress=progress,
                                        retries=args.retries, **limits)  # type: ignore[arg-type]
        except ImportError as exc:
            raise UsageError(f"--executor dask: {exc}") from None
    else:
        lines_iter = batch.run(repos, args.jobs, args.rubric, args.brief, progress, **limits)  # type: ignore[arg-type]
    lines = []
    try:
        sink = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot write: {exc.strerror}") from None
    try:
        for line in lines_iter:
            sink.write(batch.dumps_line(line))
            if args.leaderboard:  # the summary only: memory stays flat on a long batch
                lines.append({k: v for k, v in line.items() if k != "report"})
            sink.flush()
    finally:
        if sink is not sys.stdout:
            sink.close()
    if args.leaderboard:
        fmt = "csv" if args.leaderboard.endswith(".csv") else "md"
        _emit(batch.leaderboard(lines, fmt), args.leaderboard)
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
        register: Callable[[_Subparsers], object] = getattr(module, function)
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
