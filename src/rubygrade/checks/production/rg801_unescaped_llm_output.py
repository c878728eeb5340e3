"""RG801: LLM or user content rendered as HTML without escaping or a safe sanitiser (XSS)."""

from __future__ import annotations

import re

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import CallSite
from rubygrade.models import Dimension, Severity

#: Expressions that carry LLM or user text.
CONTENT = re.compile(r"content|message|response|reply|answer|body|text|markdown|output|"
                     r"completion|html|params|chunk|result|to_html|prompt|md\b", re.I)
#: Wrappers that make the value safe, or values that are not content.
_SAFE = re.compile(r"\bsanitize\(|\bsanitize\s|\bh\(|ERB::Util|json_escape|strip_tags|"
                   r"\.to_json\b|\bt\(|I18n\.|\byield\b|content_for|render\s*\(?\s*partial|"
                   r"escape_html:\s*true|filter_html:\s*true|escape_javascript|\bj\(", re.I)
#: HTML built with Rails tag helpers is escaped piece by piece.
_TAG_BUILT = re.compile(r"content_tag|\btag\.|link_to|button_to|image_tag|safe_join")
_SKIPPED_VIEWS = ("app/views/action_text/",)
#: Rails' own rendering (partials, layouts) is escaped where it is built.
_RAILS_RENDER = re.compile(r"^\s*(?:render|yield|content_for|turbo_stream)\b")
_UNSAFE_TAGS = re.compile(r"script|iframe|object|embed|style|form|\bon\w+", re.I)
_LITERAL = {"string", "simple_symbol", "heredoc_beginning", "integer", "nil"}


def _content(ctx: Context, node: Node | None) -> bool:
    if node is None or node.type in _LITERAL:
        return False
    text = treeutil.text(node)
    if not CONTENT.search(text) or _SAFE.search(text) or _TAG_BUILT.search(text) or \
            _RAILS_RENDER.match(text):
        return False
    return not _calls_safe_helper(ctx, node)


def _calls_safe_helper(ctx: Context, node: Node) -> bool:
    """``raw(render_markdown(x))`` is safe when the app's helper escapes or sanitises."""
    for sub in treeutil.walk(node):
        if sub.type not in ("call", "identifier"):
            continue
        name = treeutil.text(sub.child_by_field_name("method")) if sub.type == "call" else \
            treeutil.text(sub)
        for method in ctx.index.methods_named(name):
            if method.kind == "def" and _SAFE.search(treeutil.text(method.node)):
                return True
    return False


def _method_sanitises(call: CallSite) -> bool:
    """A helper that sanitises or uses an escaping renderer before marking the HTML safe."""
    method = call.enclosing_method
    if method is None or call.path.endswith(".erb"):
        return False
    body = treeutil.text(method.node)
    if _SAFE.search(body):
        return True
    # Commonmarker drops raw HTML unless told it is unsafe.
    return ("Commonmarker" in body or "CommonMarker" in body) and \
        not re.search(r"unsafe|UNSAFE", body)


class UnescapedLlmOutput(Rule):
    """Model or user text rendered with `raw`, `html_safe`, `<%==` or `sanitize: false`.

    ## What it does
    Finds `raw(x)`, `x.html_safe`, `<%== x %>`, `simple_format(x, {}, sanitize: false)`,
    `sanitize(x, tags: [...])` allowing `script`, `iframe`, `style` or `on*`
    attributes, and markdown rendered to HTML and marked safe without a
    sanitiser, when `x` carries message, response or params content.

    ## Why is this bad?
    LLM output is attacker-influenced (prompt injection, pasted content). A
    `<script>` or `<img onerror=...>` in an answer runs in the user's session.

    ## Example
    ```erb app/views/chats/_message.html.erb
    <div class="message"><%= raw message.content %></div>
    ```

    Use instead:
    ```erb app/views/chats/_message.html.erb
    <div class="message">
      <%= sanitize(markdown(message.content), tags: %w[p em strong code pre ul li a]) %>
    </div>
    ```
    """

    id = "RG801"
    name = "unescaped-llm-output"
    dimension = Dimension.PRODUCTION
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        seen: set[tuple[str, int]] = set()

        def report(path: str, line: int, what: str) -> None:
            if (path, line) not in seen:
                seen.add((path, line))
                ctx.report(path, line, f"{what} renders LLM or user content as HTML without "
                                       "escaping: a script in an answer runs in the page.",
                           fix="Use <%= %> (escaped), or sanitize(html, tags: [...safe list]) "
                               "on rendered markdown.")

        for call in ctx.index.calls_named("raw", "html_safe", "sanitize", "simple_format"):
            rel = ctx.project.app_relative(call.path) or ""
            if not ctx.project.is_app_code(call.path) or not rel.startswith("app/") or \
                    rel.startswith(_SKIPPED_VIEWS):
                continue
            if call.method == "html_safe" and _content(ctx, call.receiver) and \
                    not _method_sanitises(call):
                shown = (treeutil.text(call.receiver).splitlines() or [""])[0][:40]
                report(call.path, call.line, f"`{shown}.html_safe`")
            elif call.method == "raw" and call.receiver is None and call.positional and \
                    _content(ctx, call.positional[0].value) and not _method_sanitises(call):
                report(call.path, call.line, "`raw`")
            elif call.method == "sanitize" and call.receiver is None:
                allowed = " ".join(treeutil.text(a.value) for a in call.args
                                   if a.kind == "keyword" and a.name in ("tags", "attributes"))
                if _UNSAFE_TAGS.search(allowed):
                    report(call.path, call.line, "`sanitize` allowing script/style/on* markup")
        for call in ctx.index.calls:
            kw = call.keyword("sanitize")
            if kw is not None and treeutil.text(kw.value) == "false" and \
                    ctx.project.is_app_code(call.path):
                report(call.path, call.line, f"`{call.method}(..., sanitize: false)`")
        for source in ctx.project.app_files("erb", under="app/"):
            if (ctx.project.app_relative(source.path) or "").startswith(_SKIPPED_VIEWS):
                continue
            for tag in source.erb_tags:
                if tag.raw_output and CONTENT.search(tag.code) and not _SAFE.search(tag.code) \
                        and not _RAILS_RENDER.match(tag.code):
                    report(source.path, tag.line, "`<%==`")
