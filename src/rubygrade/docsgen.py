"""Generated documentation: the rule reference (``docs/rules/``) and the JSON Schemas (``docs/schemas/``).

Everything here is a pure function of the rules' metadata (:class:`RuleMeta`,
handed over by the caller or read from the registry once), the default rubric
and the records' JSON schemas, so ``scripts/generate_docs.py`` can rewrite the files
and a test can compare them byte for byte (stale docs fail CI).

The fenced blocks of a rule's "Example" and "Use instead" sections are runnable
(see :mod:`rubygrade.checks.base` for the convention): their info string names
the file of the app they belong in, ``ruby app/services/assistant.rb``, or a file
the app lacks, ``text compose.yaml absent``. The pages show that file name above
the block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rubygrade.checks.base import Rule, RuleMeta, all_rules
from rubygrade.models import DIMENSION_ORDER, Report
from rubygrade.records import Record
from rubygrade.rubric import Rubric, load_rubric

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "Use instead:")
_FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
#: ``⋮ ×120`` on a line of its own: the line above, 120 more times (long examples stay short).
_REPEAT = re.compile(r"^\s*⋮ ×(\d+)\s*$")
FLAGS = ("absent",)


class RuleDocError(ValueError):
    """A rule docstring without the fixed sections, or with a malformed example block."""


@dataclass(frozen=True)
class Fence:
    """One fenced block of an example: ```` ```<language> [<path> [absent]] ````."""

    language: str
    path: str | None  # the app-relative file the block is; None: shown, not part of the app
    absent: bool  # the app has no ``path`` (a trailing ``/``: no folder); the body is a note
    body: str

    @property
    def content(self) -> str:
        """The file's text: the body with every ``⋮ ×N`` line expanded."""
        out: list[str] = []
        for line in self.body.splitlines():
            repeat = _REPEAT.match(line)
            if repeat and out:
                out.extend([out[-1]] * int(repeat.group(1)))
            else:
                out.append(line)
        return "\n".join(out) + "\n"

    def markdown(self) -> str:
        """The block as a page shows it: the file name above a fence of just the language."""
        if self.path is None:
            return f"```{self.language}\n{self.body}```"
        if self.absent:
            note = " ".join(self.body.split())
            return f"`{self.path}`: absent" + (f" {note}" if note else "")
        return f"`{self.path}`:\n\n```{self.language}\n{self.body}```"


def parse_fences(markdown: str, rule_id: str = "") -> list[Fence]:
    """The fenced blocks of one section, in order."""
    fences = []
    for match in _FENCE.finditer(markdown):
        words = match.group("info").split()
        if not words:
            raise RuleDocError(f"{rule_id}: a code block without a language")
        language, path, flags = words[0], words[1] if len(words) > 1 else None, words[2:]
        unknown = [f for f in flags if f not in FLAGS]
        if unknown:
            raise RuleDocError(f"{rule_id}: unknown flag(s) {unknown} in ```{match.group('info')}")
        if path is not None:
            parts = PurePosixPath(path).parts
            if path.startswith("/") or ".." in parts or not parts:
                raise RuleDocError(f"{rule_id}: the path {path!r} must be inside the app")
        fences.append(Fence(language, path, "absent" in flags, match.group("body")))
    return fences


def render_section(markdown: str, rule_id: str = "") -> str:
    """A section with every fence shown as :meth:`Fence.markdown`, blocks a paragraph apart."""
    fences = parse_fences(markdown, rule_id)
    out: list[str] = []
    end = 0
    for fence, match in zip(fences, _FENCE.finditer(markdown), strict=True):
        gap = markdown[end:match.start()].strip()
        if gap:
            out.append(("\n\n" if out else "") + gap + "\n\n")
        elif out:
            out.append("\n\n")
        out.append(fence.markdown())
        end = match.end()
    rest = markdown[end:].strip()
    return "".join(out) + (f"\n\n{rest}" if rest else "")


@dataclass(frozen=True)
class RuleDoc:
    rule_id: str
    summary: str
    what: str
    why: str
    example: str  # Markdown, with its fenced blocks as written in the docstring
    instead: str  # Markdown, with its fenced blocks as written in the docstring

    @property
    def example_fences(self) -> list[Fence]:
        return parse_fences(self.example, self.rule_id)

    @property
    def instead_fences(self) -> list[Fence]:
        return parse_fences(self.instead, self.rule_id)

    def markdown_body(self) -> str:
        example = render_section(self.example, self.rule_id)
        instead = render_section(self.instead, self.rule_id)
        return (f"## What it does\n\n{self.what}\n\n## Why is this bad?\n\n{self.why}\n\n"
                f"## Example\n\n{example}\n\nUse instead:\n\n{instead}\n")


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([lines[0].strip()] + [line[cut:] for line in lines[1:]]) if lines else ""


def _meta(rule: RuleMeta | type[Rule]) -> RuleMeta:
    return rule if isinstance(rule, RuleMeta) else rule.meta()


def parse_rule_doc(rule: RuleMeta | type[Rule]) -> RuleDoc:
    doc = _dedent(_meta(rule).doc.strip())
    positions = [doc.find(section) for section in SECTIONS]
    if any(p < 0 for p in positions) or positions != sorted(positions):
        missing = [s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]
        raise RuleDocError(f"{rule.id}: docstring lacks {missing or 'sections in order'}")
    bounds = positions + [len(doc)]
    parts = [doc[bounds[i] + len(SECTIONS[i]):bounds[i + 1]].strip() for i in range(len(SECTIONS))]
    summary = doc[:positions[0]].strip()
    return RuleDoc(rule.id, summary, *parts)


def _plain(markdown: str) -> str:
    """Prose without Markdown emphasis and line wrapping, for one-paragraph help text."""
    return re.sub(r"\s*\n\s*", " ", markdown).strip()


def help_text(rule: RuleMeta | type[Rule]) -> tuple[str, str]:
    """(plain text, Markdown) help for SARIF: what, why and the fix example."""
    doc = parse_rule_doc(rule)
    text = f"{_plain(doc.what)} {_plain(doc.why)}"
    return text, doc.markdown_body()


def _points(rubric: Rubric, rule_id: str) -> str:
    entries = [(key, spec) for key, spec in sorted(rubric.rules.items())
               if key == rule_id or key.startswith(rule_id + ":")]
    if not entries:
        return "not scored by the default rubric"
    parts = []
    for key, spec in entries:
        cap = f" (cap {spec.cap:g})" if spec.cap is not None else ""
        label = f"shape `{key.split(':', 1)[1]}`" if ":" in key else "each finding"
        parts.append(f"{label}: {spec.points:g}{cap}")
    return "; ".join(parts)


def rule_page(rule: RuleMeta, rubric: Rubric) -> str:
    doc = parse_rule_doc(rule)
    meta = (f"| | |\n|---|---|\n| ID | `{rule.id}` |\n| Name | `{rule.name}` |\n"
            f"| Dimension | {rubric.dimensions[rule.dimension].name} (`{rule.dimension.value}`) |\n"
            f"| Severity | {rule.severity.value} |\n| Confidence | {rule.confidence.value} |\n"
            f"| Status | {rule.status} |\n| Points (default rubric) | {_points(rubric, rule.id)} |\n")
    return (f"<!-- generated by scripts/generate_docs.py from the rule docstring; do not edit -->\n"
            f"# {rule.id} {rule.name}\n\n{doc.summary}\n\n{meta}\n{doc.markdown_body()}\n"
            f"Suppress one occurrence with `# rubygrade:disable {rule.id} <reason>` on the line "
            f"or the line above.\n")


def rule_index(rules: Sequence[RuleMeta], rubric: Rubric) -> str:
    lines = ["<!-- generated by scripts/generate_docs.py; do not edit -->", "# Rule reference", "",
             "Every rule rubygrade runs, by dimension. Each page says what the rule finds, why it "
             "matters, an example and the fix.", ""]
    for dim in DIMENSION_ORDER:
        group = [r for r in rules if r.dimension == dim]
        if not group:
            continue
        lines += [f"## {rubric.dimensions[dim].name}", "", "| ID | Name | Severity | Summary |",
                  "|---|---|---|---|"]
        for rule in group:
            summary = parse_rule_doc(rule).summary.replace("|", "\\|")
            lines.append(f"| [{rule.id}]({rule.id}.md) | `{rule.name}` | {rule.severity.value} | "
                         f"{_plain(summary)} |")
        lines.append("")
    return "\n".join(lines)


def _first_sentence(markdown: str) -> str:
    text = _plain(markdown).strip()
    match = re.match(r"(.+?[.:])(?:\s|$)", text)
    return (match.group(1) if match else text).replace("|", "\\|")


def scoring_page(rules: Sequence[RuleMeta], rubric: Rubric,
                 detects: dict[str, str]) -> str:
    """docs/scoring.md: dimension by dimension, how each penalty and award is detected."""
    by_id = {r.id: r for r in rules}
    lines = ["<!-- generated by scripts/generate_docs.py from rules/rubric.toml, the rule "
             "docstrings and the evidence collectors; do not edit -->",
             "# How each dimension is scored", "",
             f"The default rubric (`{rubric.name}`, `rules/rubric.toml`), dimension by "
             "dimension: where a dimension starts, what the app must show before it earns "
             "anything, each penalty with the rule that detects it, and each award with how "
             "its evidence is found. Points are per finding, limited by the cap; findings of "
             f"confidence {', '.join(rubric.count_confidence)} count. The arithmetic is in "
             "[rubric.md](rubric.md).", ""]
    for dim in DIMENSION_ORDER:
        spec = rubric.dimensions[dim]
        start = "starts full: penalties take points away" if spec.start == "max" else \
            "starts at 0: awards earn points"
        lines += [f"## {spec.name} ({spec.max:g} points, `{dim.value}`)", "", f"It {start}."]
        if spec.requires:
            kinds = ", ".join(f"`{k}`" for k in spec.requires)
            lines.append(f"It requires evidence {kinds}; without it the dimension scores 0 "
                         f"(\"{spec.requires_why}\").")
        lines.append("")
        entries = sorted((k, v) for k, v in rubric.rules.items()
                         if (rule := by_id.get(k.split(":", 1)[0])) is not None
                         and rule.dimension == dim)
        if entries:
            lines += ["| Penalty | Points | How it is detected |", "|---|---|---|"]
            for key, points in entries:
                rule = by_id[key.split(":", 1)[0]]
                cap = f" (cap {points.cap:g})" if points.cap is not None else ""
                shape = f" shape `{key.split(':', 1)[1]}`" if ":" in key else ""
                how = _first_sentence(parse_rule_doc(rule).what)
                why = points.why.replace("|", "\\|")
                lines.append(f"| [{rule.id}](rules/{rule.id}.md){shape}: {why} | "
                             f"{points.points:g}{cap} | {how} |")
            lines.append("")
        awards = sorted((k, v) for k, v in rubric.evidence.items() if v.dimension == dim)
        if awards:
            lines += ["| Evidence | Points | How it is found |", "|---|---|---|"]
            for kind, award in awards:
                cap = f" (cap {award.cap:g})" if award.cap is not None else ""
                how = detects.get(kind, "").replace("|", "\\|")
                lines.append(f"| `{kind}`: {award.why} | {award.points:+g}{cap} | {how} |")
            lines.append("")
    return "\n".join(lines)


def evidence_detection() -> dict[str, str]:
    """Evidence kind -> how it is detected, from every collector's ``detects``."""
    from rubygrade.checks.base import all_collectors

    out: dict[str, str] = {}
    for collector in all_collectors():
        out.update(collector.detects)
    return out


def _schema(model: type[Record], title: str) -> str:
    schema = model.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def generated_files(rules: Sequence[RuleMeta] | None = None) -> dict[str, str]:
    """Repo-relative path -> content of every generated documentation file (the registered
    rules unless ``rules`` is given)."""
    from rubygrade.brief import Brief

    rubric = load_rubric()
    if rules is None:
        rules = [rule.meta() for rule in all_rules()]
    files = {f"docs/rules/{rule.id}.md": rule_page(rule, rubric) for rule in rules}
    files["docs/rules/README.md"] = rule_index(rules, rubric)
    files["docs/scoring.md"] = scoring_page(rules, rubric, evidence_detection())
    files["docs/schemas/report.schema.json"] = _schema(Report, "rubygrade report")
    files["docs/schemas/rubric.schema.json"] = _schema(Rubric, "rubygrade rubric")
    files["docs/schemas/brief.schema.json"] = _schema(Brief, "rubygrade brief")
    return files


def stale(root: Path) -> list[str]:
    """Generated files under ``root`` that differ from what the generator writes, or are
    missing, and rule pages of rules that no longer exist. Empty: the docs are current."""
    files = generated_files()
    out = [rel for rel, content in files.items()
           if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != content]
    out += [rel for p in sorted((root / "docs" / "rules").glob("RG*.md"))
            if (rel := p.relative_to(root).as_posix()) not in files]
    return sorted(out)


def write(root: Path) -> list[str]:
    """Write the generated files under ``root``; remove stale rule pages. Returns changed paths."""
    files = generated_files()
    changed = []
    for stale in sorted((root / "docs" / "rules").glob("RG*.md")):
        rel = stale.relative_to(root).as_posix()
        if rel not in files:
            stale.unlink()
            changed.append(rel)
    for rel, content in files.items():
        target = root / rel
        if not target.is_file() or target.read_text(encoding="utf-8") != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            changed.append(rel)
    return changed
