"""Precision (and, where hand facts exist, recall) of rubygrade's findings on real apps.

Grades every app of one or more corpus lists with rubygrade's Python API, as a
benchmark grades (``Options.benchmark()``: no repository configuration, no
inline suppressions), in parallel processes, and compares each finding of the
rules below with a hand-written verdict (``benchmarks/verdicts/<corpus>.toml``).
A finding meets its verdict by (app, rule, path, line).

    python benchmarks/precision.py                       # the dev corpus
    python benchmarks/precision.py --holdout             # the dev corpus and the holdout apps
    python benchmarks/precision.py --corpus-dir /work/corpus --list ../shared/corpus-dev.tsv \\
        --holdout-dir /work/holdout --holdout-list benchmarks/corpus-holdout.tsv
    python benchmarks/precision.py --app clapback --findings   # every finding with its verdict
    python benchmarks/precision.py --json                # machine-readable

Per rule it prints the scored findings (confidence high/medium: the ones the
rubric counts), how many are judged true, false and not yet judged, and the
precision true / (true + false); the low-confidence findings (reported, not
scored) are counted separately. Recall is counted where hand facts exist
(``benchmarks/audits/*.toml`` and ``benchmarks/census/*.toml``): RG401 against
the ``[[llm_calls]]`` with ``guarded = false`` and a non-empty ``reached_from``,
RG801 against the ``[[html_sinks]]`` with ``xss = true``; a fact is found by a
scored finding of the rule in the same file within 3 lines (a multi-line chain
is reported at its first line), each finding meeting at most one fact.

Then it lists the findings that lack a verdict (judge them), the true verdicts
that no longer meet a finding (stale: the rule moved or stopped reporting), the
count of false verdicts no finding meets (false positives since fixed: they stay
in the files, so a regression is judged at once), the verdicts judged false, and
the recall misses. The output is deterministic.
Verdict format and judging method: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: The rows of the table, in order. "RG2xx" is RG201-RG208 together.
RG2 = tuple(f"RG20{n}" for n in range(1, 9))
ROWS: tuple[str, ...] = ("RG2xx", *RG2, "RG302", "RG401", "RG505", "RG506", "RG801",
                         "RG501", "RG701", "RG802", "RG805")
RULES: frozenset[str] = frozenset(r for r in ROWS if r != "RG2xx")
#: Rules whose recall the hand facts can count, and how close a finding must sit.
RECALL_RULES = ("RG401", "RG801")
LINE_WINDOW = 3
SCORED_CONFIDENCE = frozenset({"high", "medium"})


# -- data ---------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Item:
    """One finding of a table rule on one app."""

    app: str
    rule: str
    path: str
    line: int
    column: int = 1
    confidence: str = "high"
    severity: str = "error"
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.app, self.rule, self.path, self.line)

    @property
    def scored(self) -> bool:
        return self.confidence in SCORED_CONFIDENCE


@dataclass(frozen=True, order=True)
class Verdict:
    app: str
    rule: str
    path: str
    line: int
    verdict: bool
    reason: str = ""

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.app, self.rule, self.path, self.line)


@dataclass(frozen=True, order=True)
class Fact:
    """A hand-listed site a rule must report (an unguarded reached call, an XSS sink)."""

    app: str
    rule: str
    path: str
    line: int
    what: str = ""
    source: str = ""  # the audit or census file


@dataclass
class Row:
    rule: str
    scored: int = 0
    true: int = 0
    false: int = 0
    unjudged: int = 0
    low: int = 0
    low_true: int = 0
    low_false: int = 0
    low_unjudged: int = 0
    facts: int | None = None  # recall: hand-listed sites (None: no hand facts for this rule)
    found: int = 0
    found_low: int = 0  # hand-listed sites met only by a low-confidence finding

    @property
    def precision(self) -> float | None:
        judged = self.true + self.false
        return round(self.true / judged, 3) if judged else None

    @property
    def recall(self) -> float | None:
        return round(self.found / self.facts, 3) if self.facts else None


@dataclass
class Result:
    corpus: str
    apps: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # listed, but no folder
    errors: dict[str, str] = field(default_factory=dict)
    commit_mismatch: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    unjudged: list[Item] = field(default_factory=list)
    stale: list[Verdict] = field(default_factory=list)
    #: false verdicts no finding meets any more: false positives since fixed (kept as data,
    #: so a fix that regresses is judged at once)
    fixed: list[Verdict] = field(default_factory=list)
    judged_false: list[tuple[Item, Verdict]] = field(default_factory=list)
    misses: list[Fact] = field(default_factory=list)
    found_low_only: list[tuple[Fact, Item]] = field(default_factory=list)
    findings: list[tuple[Item, Verdict | None]] = field(default_factory=list)


# -- matching (pure; tests/benchmarks/test_precision_harness.py) --------------------------------

def match_verdicts(items: Iterable[Item], verdicts: Iterable[Verdict],
                   graded_apps: Iterable[str]) -> tuple[dict[Item, Verdict | None], list[Verdict]]:
    """Each finding's verdict (None when it has none), and the stale verdicts.

    A verdict names (app, rule, path, line); it covers every finding with that key.
    A verdict is stale when its app was graded in this run and no finding has its key.
    """
    by_key: dict[tuple[str, str, str, int], Verdict] = {}
    for v in verdicts:
        by_key[v.key] = v
    matched: dict[Item, Verdict | None] = {}
    used: set[tuple[str, str, str, int]] = set()
    for item in items:
        hit = by_key.get(item.key)
        matched[item] = hit
        if hit is not None:
            used.add(hit.key)
    apps = set(graded_apps)
    stale = sorted(v for k, v in by_key.items() if k not in used and v.app in apps)
    return matched, stale


def match_facts(items: Iterable[Item], facts: Iterable[Fact],
                window: int = LINE_WINDOW) -> dict[Fact, Item | None]:
    """Which finding meets each hand fact: same app, rule and path, line within ``window``.

    One-to-one: closest pairs first (exact lines before near ones), then by position,
    so two adjacent calls are not both credited to one finding.
    """
    items = sorted(items)
    facts = sorted(facts)
    pairs: list[tuple[int, int, int]] = []
    for fi, fact in enumerate(facts):
        for ii, item in enumerate(items):
            if (item.app, item.rule, item.path) == (fact.app, fact.rule, fact.path):
                distance = abs(item.line - fact.line)
                if distance <= window:
                    pairs.append((distance, fi, ii))
    result: dict[Fact, Item | None] = {fact: None for fact in facts}
    taken_items: set[int] = set()
    for _distance, fi, ii in sorted(pairs):
        if result[facts[fi]] is None and ii not in taken_items:
            result[facts[fi]] = items[ii]
            taken_items.add(ii)
    return result


def tabulate(corpus: str, items: Sequence[Item], verdicts: Sequence[Verdict], facts: Sequence[Fact],
             graded_apps: Sequence[str]) -> Result:
    """The table, the unjudged findings, the stale verdicts and the recall of one corpus."""
    result = Result(corpus=corpus, apps=sorted(graded_apps))
    items = sorted(i for i in items if i.rule in RULES)
    matched, stale = match_verdicts(items, verdicts, graded_apps)
    result.stale = [v for v in stale if v.verdict]
    result.fixed = [v for v in stale if not v.verdict]
    rows = {rule: Row(rule) for rule in ROWS}
    for item in items:
        v = matched[item]
        for name in (item.rule, "RG2xx") if item.rule in RG2 else (item.rule,):
            row = rows[name]
            if item.scored:
                row.scored += 1
                if v is None:
                    row.unjudged += 1
                elif v.verdict:
                    row.true += 1
                else:
                    row.false += 1
            else:
                row.low += 1
                if v is None:
                    row.low_unjudged += 1
                elif v.verdict:
                    row.low_true += 1
                else:
                    row.low_false += 1
        if v is None:
            result.unjudged.append(item)
        elif not v.verdict:
            result.judged_false.append((item, v))
        result.findings.append((item, v))
    graded = set(graded_apps)
    for rule in RECALL_RULES:
        mine = [f for f in facts if f.rule == rule and f.app in graded]
        if not mine:
            continue
        scored = match_facts([i for i in items if i.scored], mine)
        low = match_facts([i for i in items if not i.scored], [f for f, hit in scored.items() if not hit])
        row = rows[rule]
        row.facts = len(mine)
        row.found = sum(1 for hit in scored.values() if hit is not None)
        for fact in sorted(mine):
            if scored[fact] is not None:
                continue
            low_hit = low.get(fact)
            if low_hit is not None:
                row.found_low += 1
                result.found_low_only.append((fact, low_hit))
            result.misses.append(fact)
    result.rows = [rows[name] for name in ROWS]
    return result


# -- inputs -------------------------------------------------------------------------------

def read_list(path: Path) -> list[tuple[str, str]]:
    """(owner/name, head commit) of each app of a corpus tsv (header line first)."""
    rows: list[tuple[str, str]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        cells = line.split("\t")
        if n == 0 and cells[0] == "repo" or not line.strip() or line.startswith("#"):
            continue
        rows.append((cells[0].strip(), cells[1].strip() if len(cells) > 1 else ""))
    return rows


def app_folder(corpus_dir: Path, repo: str) -> Path | None:
    """The app's folder: ``<name>`` (dev corpus) or ``<owner>__<name>`` (holdout)."""
    owner, _, name = repo.partition("/")
    for candidate in (corpus_dir / name, corpus_dir / f"{owner}__{name}", corpus_dir / repo):
        if candidate.is_dir():
            return candidate
    return None


def read_verdicts(path: Path) -> list[Verdict]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: list[Verdict] = []
    seen: set[tuple[str, str, str, int]] = set()
    for n, entry in enumerate(data.get("verdict", [])):
        missing = {"app", "rule", "path", "line", "verdict", "reason"} - set(entry)
        if missing or not isinstance(entry["verdict"], bool):
            raise SystemExit(f"{path}: verdict #{n + 1} lacks {sorted(missing) or 'a boolean verdict'}")
        v = Verdict(app=entry["app"], rule=entry["rule"], path=entry["path"], line=int(entry["line"]),
                    verdict=entry["verdict"], reason=entry["reason"])
        if v.key in seen:
            raise SystemExit(f"{path}: two verdicts for {v.app} {v.rule} {v.path}:{v.line}")
        seen.add(v.key)
        out.append(v)
    return out


def read_facts(dirs: Sequence[Path]) -> list[Fact]:
    """The recall facts of every audit and census file in ``dirs``."""
    facts: list[Fact] = []
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            app = data.get("app")
            if not app:
                continue
            source = f"{folder.name}/{path.name}"
            for call in data.get("llm_calls", []):
                if not call.get("guarded", True) and call.get("reached_from", "").strip():
                    facts.append(Fact(app, "RG401", call["path"], int(call["line"]),
                                      call.get("api", ""), source))
            for sink in data.get("html_sinks", []):
                if sink.get("xss") is True:
                    facts.append(Fact(app, "RG801", sink["path"], int(sink["line"]),
                                      sink.get("sink", ""), source))
    return sorted(set(facts))


def head_commit(folder: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def resolve(path: Path | None) -> Path | None:
    """A relative path as given, or else against the repository root and its ancestors
    (``../shared/corpus-dev.tsv`` names the same file from a worktree one level deeper)."""
    if path is None or path.is_absolute() or path.exists():
        return path
    for base in (REPO, *REPO.parents):
        if (base / path).exists():
            return (base / path).resolve()
    return path


def find_shared(name: str) -> Path | None:
    """``shared/<name>`` beside the repository or an ancestor (a worktree sits deeper)."""
    for base in (REPO, *REPO.parents):
        candidate = base.parent / "shared" / name
        if candidate.exists():
            return candidate
    return None


# -- grading ------------------------------------------------------------------------------

def grade_app(job: tuple[str, str]) -> tuple[str, list[Item] | str]:
    """(app, its table-rule findings) or (app, an error line); runs in a worker process."""
    app, folder = job
    try:
        import rubygrade
        from rubygrade import Options

        report = rubygrade.grade(folder, Options.benchmark())
        items = [Item(app=app, rule=f.rule_id, path=f.path, line=f.line, column=f.column,
                      confidence=f.confidence.value, severity=f.severity.value,
                      message=" ".join(f.message.split()))
                 for f in report.findings if f.rule_id in RULES]
        return app, sorted(items)
    except Exception as exc:  # noqa: BLE001 - one app's failure is a line of the result
        return app, f"{type(exc).__name__}: {exc}"


def run_corpus(name: str, corpus_dir: Path, listing: Path, verdict_file: Path, facts: list[Fact],
               jobs: int, only: set[str]) -> Result:
    apps: list[tuple[str, Path]] = []
    missing: list[str] = []
    mismatch: dict[str, str] = {}
    for repo, commit in read_list(listing):
        folder = app_folder(corpus_dir, repo)
        label = folder.name if folder else repo
        if only and label not in only and repo not in only:
            continue
        if folder is None:
            missing.append(repo)
            continue
        apps.append((folder.name, folder))
        head = head_commit(folder)
        if commit and head and head != commit:
            mismatch[folder.name] = f"checked out {head[:12]}, listed {commit[:12]}"
    items: list[Item] = []
    errors: dict[str, str] = {}
    jobs_list = [(app, str(folder)) for app, folder in apps]
    if jobs <= 1:
        outcomes = [grade_app(j) for j in jobs_list]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(grade_app, jobs_list))
    graded: list[str] = []
    for app, outcome in outcomes:
        if isinstance(outcome, str):
            errors[app] = outcome
        else:
            graded.append(app)
            items.extend(outcome)
    result = tabulate(name, items, read_verdicts(verdict_file), facts, graded)
    result.missing = sorted(missing)
    result.errors = dict(sorted(errors.items()))
    result.commit_mismatch = dict(sorted(mismatch.items()))
    return result


# -- output -------------------------------------------------------------------------------

def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_text(results: Sequence[Result], show_findings: bool) -> str:
    out: list[str] = []
    for res in results:
        out.append(f"== {res.corpus}: {len(res.apps)} apps graded"
                   + (f", {len(res.errors)} failed" if res.errors else "")
                   + (f", {len(res.missing)} missing" if res.missing else ""))
        for app, error in res.errors.items():
            out.append(f"  error {app}: {error}")
        for repo in res.missing:
            out.append(f"  missing {repo}: no folder in the corpus directory")
        for app, note in res.commit_mismatch.items():
            out.append(f"  commit {app}: {note} (verdicts and facts may be off)")
        out.append("")
        head = (f"{'rule':<6} {'scored':>6} {'true':>5} {'false':>5} {'unjudged':>8} {'precision':>9}"
                f"   {'low':>3} {'t/f/?':>7}   {'recall':>14}")
        out.append(head)
        out.append("-" * len(head))
        for row in res.rows:
            low = f"{row.low_true}/{row.low_false}/{row.low_unjudged}" if row.low else ""
            if row.facts is None:
                recall = ""
            else:
                recall = f"{row.found}/{row.facts} = {_fmt(row.recall)}"
            out.append(f"{row.rule:<6} {row.scored:>6} {row.true:>5} {row.false:>5} {row.unjudged:>8} "
                       f"{_fmt(row.precision):>9}   {row.low:>3} {low:>7}   {recall:>14}")
        out.append("")
        out.append("scored = confidence high/medium (the rubric counts them); low = reported, not scored "
                   "(t/f/? judged true, false, not yet);")
        out.append(f"precision = true / (true + false); recall = hand-listed sites a scored finding "
                   f"meets (same file, within {LINE_WINDOW} lines)")
        out.append("")
        out.append(f"findings without a verdict ({len(res.unjudged)}):")
        for item in res.unjudged:
            tag = "" if item.scored else f" [{item.confidence}/{item.severity}]"
            out.append(f"  {item.app} {item.rule} {item.path}:{item.line}{tag}  {item.message[:160]}")
        out.append(f"stale true verdicts, no finding meets them ({len(res.stale)}):")
        for v in res.stale:
            out.append(f"  {v.app} {v.rule} {v.path}:{v.line}  {v.reason}")
        out.append(f"false positives fixed, no longer reported ({len(res.fixed)})")
        out.append(f"findings judged false ({len(res.judged_false)}):")
        for item, v in res.judged_false:
            tag = "" if item.scored else f" [{item.confidence}]"
            out.append(f"  {item.app} {item.rule} {item.path}:{item.line}{tag}  {v.reason}")
        out.append(f"recall misses ({len(res.misses)}):")
        low_only = {fact: item for fact, item in res.found_low_only}
        for fact in res.misses:
            extra = ""
            if fact in low_only:
                low_hit = low_only[fact]
                extra = f" (only a {low_hit.confidence}-confidence finding at line {low_hit.line})"
            out.append(f"  {fact.app} {fact.rule} {fact.path}:{fact.line}  {fact.what} "
                       f"[{fact.source}]{extra}")
        if show_findings:
            out.append(f"all findings ({len(res.findings)}):")
            for item, judged in res.findings:
                mark = "?" if judged is None else ("T" if judged.verdict else "F")
                out.append(f"  {mark} {item.app} {item.rule} {item.path}:{item.line} "
                           f"[{item.confidence}/{item.severity}] {item.message}")
                if judged is not None:
                    out.append(f"      verdict: {judged.reason}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_json(results: Sequence[Result]) -> str:
    def row_dict(row: Row) -> dict[str, Any]:
        d = asdict(row)
        d["precision"] = row.precision
        d["recall"] = row.recall
        return d

    payload = []
    for res in results:
        payload.append({
            "corpus": res.corpus,
            "apps": res.apps,
            "missing": res.missing,
            "errors": res.errors,
            "commit_mismatch": res.commit_mismatch,
            "rows": [row_dict(r) for r in res.rows],
            "findings": [{**asdict(item), "scored": item.scored,
                          "verdict": None if judged is None else judged.verdict,
                          "reason": None if judged is None else judged.reason}
                         for item, judged in res.findings],
            "unjudged": [asdict(i) for i in res.unjudged],
            "stale": [asdict(v) for v in res.stale],
            "fixed": [asdict(v) for v in res.fixed],
            "misses": [asdict(f) for f in res.misses],
            "found_low_only": [{"fact": asdict(f), "finding": asdict(i)} for f, i in res.found_low_only],
        })
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus-dir", type=Path, help="folder of the dev apps (default: corpus/ "
                        "beside the shared folder)")
    parser.add_argument("--list", type=Path, help="the dev corpus tsv (default: ../shared/corpus-dev.tsv, "
                        "looked up from the repository root upwards)")
    parser.add_argument("--holdout", action="store_true", help="also grade the holdout apps (defaults)")
    parser.add_argument("--holdout-dir", type=Path, help="folder of the holdout apps (default: holdout/ "
                        "beside the shared folder); implies --holdout")
    parser.add_argument("--holdout-list", type=Path, default=HERE / "corpus-holdout.tsv",
                        help="the holdout tsv (default: benchmarks/corpus-holdout.tsv)")
    parser.add_argument("--no-dev", action="store_true", help="skip the dev corpus")
    parser.add_argument("--also", action="append", default=[], metavar="NAME",
                        help="also grade corpus NAME: apps in NAME/ beside the shared folder, listed in "
                        "benchmarks/corpus-NAME.tsv, judged in verdicts/NAME.toml (repeatable; "
                        "e.g. --also holdout2)")
    parser.add_argument("--verdicts", type=Path, default=HERE / "verdicts",
                        help="folder of <corpus>.toml verdict files (default: benchmarks/verdicts)")
    parser.add_argument("--app", action="append", default=[], help="grade only this app (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--findings", action="store_true", help="also list every finding with its verdict")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)

    shared_list = find_shared("corpus-dev.tsv")
    facts = read_facts([HERE / "audits", HERE / "census"])
    only = set(args.app)
    results: list[Result] = []
    if not args.no_dev:
        listing = resolve(args.list) or shared_list
        if listing is None or not listing.exists():
            parser.error("no dev corpus list: give --list (../shared/corpus-dev.tsv was not found)")
        corpus_dir = resolve(args.corpus_dir) or listing.resolve().parent.parent / "corpus"
        if not corpus_dir.is_dir():
            parser.error(f"no corpus folder {corpus_dir}: give --corpus-dir")
        results.append(run_corpus("dev", corpus_dir, listing, args.verdicts / "dev.toml", facts,
                                  args.jobs, only))
    if args.holdout or args.holdout_dir:
        holdout_dir = resolve(args.holdout_dir)
        if holdout_dir is None:
            base = (shared_list.resolve().parent.parent if shared_list else REPO.parent)
            holdout_dir = base / "holdout"
        if not holdout_dir.is_dir():
            parser.error(f"no holdout folder {holdout_dir}: give --holdout-dir")
        holdout_list = resolve(args.holdout_list) or args.holdout_list
        results.append(run_corpus("holdout", holdout_dir, holdout_list,
                                  args.verdicts / "holdout.toml", facts, args.jobs, only))
    for name in args.also:
        base = (shared_list.resolve().parent.parent if shared_list else REPO.parent)
        listing = HERE / f"corpus-{name}.tsv"
        if not (base / name).is_dir() or not listing.exists():
            parser.error(f"--also {name}: needs the folder {base / name} and the list {listing}")
        results.append(run_corpus(name, base / name, listing, args.verdicts / f"{name}.toml", facts,
                                  args.jobs, only))
    sys.stdout.write(render_json(results) if args.json else render_text(results, args.findings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
