"""RG208: the app asks for a superseded model (a 3.x Sonnet slug)."""

from __future__ import annotations

import re

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.entries import entry_kind
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

_CONFIG_SUFFIXES = (".yml", ".yaml", ".env", ".env.example")


class ObsoleteModelSlug(Rule):
    """A superseded model slug (from the brief's `obsolete_model_patterns`) is in use.

    ## What it does
    Looks for the brief's obsolete model patterns (by default the 3.x Claude
    Sonnet slugs) in string literals of the app code and in YAML/.env config;
    tests and migrations that already ran (`db/migrate/`, history rather than
    the model the app picks today) are left alone, and so are literals that
    pick no model: a `when` label, the key of a number (a price table looked up
    by slug; a map of slugs to labels is a menu of models and counts), a
    fallback in a `rescue` branch, and the default of a parameter of a method
    nothing calls.

    ## Why is this bad?
    The brief asks for a current Sonnet. Old slugs are slower, weaker and get
    retired by providers, at which point every request fails with a model error.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      MODEL = "anthropic/claude-3.5-sonnet"

      def chat = RubyLLM.chat(model: MODEL, provider: :openrouter)
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      MODEL = "anthropic/claude-sonnet-4.5"

      def chat = RubyLLM.chat(model: MODEL, provider: :openrouter)
    end
    ```
    """

    id = "RG208"
    name = "obsolete-model-slug"
    dimension = Dimension.RUBYLLM
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        patterns = ctx.brief.obsolete_model_patterns
        if not patterns:
            return
        regex = re.compile("|".join(re.escape(p) for p in patterns), re.IGNORECASE)
        hints = _case_free_parts(patterns)
        for path, source in sorted(ctx.project.files.items()):
            if not ctx.project.is_app_code(path) or \
                    (ctx.project.app_relative(path) or "").startswith("db/migrate/"):
                continue  # a migration that already ran records history, not today's model
            if source.kind in ("ruby", "erb") and source.root is not None:
                if not _may_hold(source.text, hints) or not regex.search(source.text):
                    continue
                for node in treeutil.walk(source.root):
                    if node.type == "string_content" and (m := regex.search(treeutil.text(node))) \
                            and not _names_no_choice(ctx, path, node):
                        self._report(ctx, path, treeutil.line_of(node), m.group(0))
            elif path.endswith(_CONFIG_SUFFIXES) and source.kind == "other":
                if not _may_hold(source.text, hints):
                    continue  # no line can match
                for number, line in enumerate(source.text.splitlines(), 1):
                    m = regex.search(line)
                    if m and not line.lstrip().startswith("#"):
                        self._report(ctx, path, number, m.group(0))

    def _report(self, ctx: Context, path: str, line: int, slug: str) -> None:
        ctx.report(path, line,
                   f"Obsolete model slug `{slug}`: a superseded Sonnet model "
                   f"(checked with ruby_llm {ctx.catalogue_version or 'none locked'}).",
                   fix="Use a current Claude Sonnet slug, e.g. anthropic/claude-sonnet-4.5.",
                   data={"slug": slug})


#: Characters no case-insensitive match can turn into another one (ASCII digits and
#: punctuation): a pattern matches only where its run of them stands as written.
_CASE_FREE = re.compile(r"[0-9!-/:-@\[-`{-~]+")


def _case_free_parts(patterns: list[str]) -> re.Pattern[str] | None:
    """A search for each pattern's longest run of case-free characters: text holding none
    of them matches no pattern, and one case-sensitive scan for a few short literals is
    ten times quicker than the case-insensitive one. None when a pattern has no such run
    (no shortcut)."""
    parts = []
    for pattern in patterns:
        runs = _CASE_FREE.findall(pattern)
        if not runs:
            return None
        parts.append(max(runs, key=len))
    # a run holding another is found only where that one is: the shorter suffices
    needed = sorted(p for p in set(parts) if not any(q != p and q in p for q in parts))
    return re.compile("|".join(re.escape(p) for p in needed))


def _may_hold(text: str, hints: re.Pattern[str] | None) -> bool:
    return hints is None or hints.search(text) is not None


def _names_no_choice(ctx: Context, path: str, node: Node) -> bool:
    """The slug literal picks no model the app sends: a ``when`` label, the key of a
    number (a price table), a fallback inside a ``rescue``, or the default value of a
    parameter of a method that nothing calls."""
    child = node
    for anc in treeutil.ancestors(node):
        if anc.type == "when" and child.type != "then":  # a pattern, not the branch's body
            return True
        if anc.type == "pair" and anc.child_by_field_name("key") == child:
            value = anc.child_by_field_name("value")  # a price table; a label map is a menu
            return value is not None and value.type in ("integer", "float")
        if anc.type in ("rescue", "rescue_modifier"):
            return True
        if anc.type in ("optional_parameter", "keyword_parameter"):
            method = ctx.index.method_at(path, treeutil.line_of(node))
            graph = ctx.analyses.call_graph
            return method is not None and not any(True for _ in graph.graph.predecessors(method.key)) \
                and entry_kind(ctx.project, method) is None
        if anc.type in ("method", "singleton_method", "class", "module", "program"):
            return False
        child = anc
    return False
