"""RG208: the app asks for a superseded model (a 3.x Sonnet slug)."""

from __future__ import annotations

import re

from rubygrade import treeutil
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

_CONFIG_SUFFIXES = (".yml", ".yaml", ".env", ".env.example")


class ObsoleteModelSlug(Rule):
    """A superseded model slug (from the brief's `obsolete_model_patterns`) is in use.

    ## What it does
    Looks for the brief's obsolete model patterns (by default the 3.x Claude
    Sonnet slugs) in string literals of the app code and in YAML/.env config,
    test files excluded.

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
        for path, source in sorted(ctx.project.files.items()):
            if not ctx.project.is_app_code(path):
                continue
            if source.kind in ("ruby", "erb") and source.root is not None:
                if not regex.search(source.text):
                    continue
                for node in treeutil.walk(source.root):
                    if node.type == "string_content" and (m := regex.search(treeutil.text(node))):
                        self._report(ctx, path, treeutil.line_of(node), m.group(0))
            elif path.endswith(_CONFIG_SUFFIXES) and source.kind == "other":
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
