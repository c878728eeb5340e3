"""RG801: LLM output or request input rendered as HTML without escaping (XSS)."""

from __future__ import annotations

import re

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.dead_branches import never_runs
from rubygrade.analysis.jsflow import (
    markdown_to_html,
    may_fetch,
    may_render_markdown,
)
from rubygrade.analysis.taint import TAINTED, Origins
from rubygrade.analysis.values import Scope, scope_of_call
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import CallSite
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Confidence, Dimension, Severity

#: Templates that are not HTML: their output is never parsed as markup.
_NOT_HTML = (".csv.erb", ".json.erb", ".text.erb", ".txt.erb", ".js.erb", ".xml.erb",
             ".md.erb", ".yml.erb", ".yaml.erb")
#: Allowed tags that run or load code, and allowed attributes that do (the ``style``
#: attribute is not: Loofah scrubs its CSS; a ``<style>`` tag is).
_UNSAFE_TAGS = lazy_compile(r"\b(?:script|iframe|object|embed|style|form)\b", re.I)
_UNSAFE_ATTRIBUTES = lazy_compile(r"\bon\w+|\bsrcdoc\b|\bformaction\b", re.I)
#: Turbo broadcasts that insert ``html:``/``content:`` as they are (turbo-rails does not
#: escape them), and ``turbo_stream`` actions given HTML.
_BROADCAST = re.compile(r"^broadcast_(?:append|prepend|replace|update|before|after|action)"
                        r"(?:_later)?(?:_to)?$")
_STREAM_ACTIONS = {"append", "prepend", "replace", "update", "before", "after"}
_WORDS = {"llm": "LLM output", "params": "request input", "history": "stored conversation text"}


def _origin_words(origins: Origins) -> str:
    return " and ".join(_WORDS[o] for o in ("llm", "params", "history") if o in origins)


class UnescapedLlmOutput(Rule):
    """LLM output or request input rendered with `raw`, `html_safe`, `<%==` or `sanitize: false`.

    ## What it does
    Follows what each HTML sink renders back to where it comes from (the taint
    analysis): a reply's `content`, a streamed chunk, a message record the model
    wrote, the stored conversation, or `params`. Sinks: `raw(x)`, `x.html_safe`,
    `<%== x %>`, `sanitize: false`/`escape: false` (`simple_format`, `truncate`),
    `sanitize(x, tags: [...])` allowing script, style or `on*` markup, a markdown
    renderer that keeps raw HTML (Redcarpet without `filter_html`/`escape_html`,
    Kramdown, CommonMarker with `unsafe`) whose output is marked safe, the same
    sinks inside a helper the views call with such text, Turbo broadcasts and
    `turbo_stream` actions given `html:`/`content:` (turbo-rails inserts them as
    they are), and Stimulus/JavaScript writing `marked.parse(...)` (or another
    markdown renderer's output) into `innerHTML` without DOMPurify. Fetched JSON
    interpolated into markup (`el.innerHTML = "<li>" + item.title`, unescaped,
    not an id or a count) is reported at low confidence, not scored: whether the
    field can hold markup is not followed to the server (on real apps 4 of 7
    such findings were true). Literals,
    frozen constants, escaped text (`h`, `ERB::Util.html_escape`, tag helpers,
    `simple_format` with its default sanitizer), non-HTML templates (`.json.erb`,
    `.csv.erb`, `.text.erb`), views nothing renders, code no request or job
    reaches, a branch an earlier guard of the same loop or method has left
    (`next if m.role == "user"`, then `if m.role == "user"`), Stimulus controllers
    no template uses, and a live preview of what the user is typing
    (`md.render(textarea.value)`: it shows the author their own markup) are not
    findings.

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
      <%= sanitize(markdown(@reply.content), tags: %w[p em strong code pre ul li a]) %>
    </div>
    ```
    """

    id = "RG801"
    name = "unescaped-llm-output"
    dimension = Dimension.PRODUCTION
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        self.ctx = ctx
        self.taint = ctx.analyses.taint
        self.graph = ctx.analyses.call_graph
        self.reachable = ctx.analyses.reachable
        self.seen: set[tuple[str, int]] = set()
        self._judged_paths: dict[str, bool] = {}
        for call in ctx.index.calls:
            if _may_sink(call) and self._judged(call.path):
                self._call_sink(call)
        for source in ctx.project.app_files("erb", under="app/"):
            # (a raw tag's opener is in the text: most templates have none to look for)
            if "<%==" in source.text and any(tag.raw_output for tag in source.erb_tags) and \
                    self._judged(source.path):
                self._raw_output_tags(source.path)
        self._javascript()

    # -- where to look --------------------------------------------------------------------
    def _judged(self, path: str) -> bool:
        """Memoised per file: every call of a file asks the same question."""
        known = self._judged_paths.get(path)
        if known is None:
            known = self._judged_paths[path] = self._judged_uncached(path)
        return known

    def _judged_uncached(self, path: str) -> bool:
        rel = self.ctx.project.app_relative(path) or ""
        if not rel.startswith("app/") or not self.ctx.project.is_app_code(path):
            return False
        if path.endswith(_NOT_HTML):
            return False
        return not self.ctx.analyses.values.views.unrendered(path)

    def _report(self, path: str, node: Node, what: str, origins: Origins) -> None:
        line = treeutil.line_of(node)
        if (path, line) in self.seen:
            return
        self.seen.add((path, line))
        self.ctx.report_node(
            path, node,
            f"{what} renders {_origin_words(origins)} as HTML without escaping: a script in "
            "it runs in the page.",
            fix="Render it escaped (<%= %>), or sanitize(html, tags: [...a safe list]) the "
                "rendered markdown; use a renderer that drops raw HTML (filter_html: true).",
            confidence=Confidence.HIGH if origins & {"llm", "params"} else Confidence.MEDIUM,
            data={"origins": ",".join(sorted(origins & TAINTED))})

    # -- Ruby and ERB sinks -------------------------------------------------------------------
    def _call_sink(self, call: CallSite) -> None:
        scope = scope_of_call(call)
        name = call.method
        if name == "html_safe" and call.receiver is not None:
            self._judge(call, call.receiver, scope, "`.html_safe`")
        elif name == "raw" and call.receiver is None and call.positional:
            self._judge(call, call.positional[0].value, scope, "`raw`")
        elif name == "sanitize" and call.receiver is None and call.positional:
            tags = " ".join(treeutil.text(a.value) for a in call.args
                            if a.kind == "keyword" and a.name == "tags")
            attributes = " ".join(treeutil.text(a.value) for a in call.args
                                  if a.kind == "keyword" and a.name == "attributes")
            if _UNSAFE_TAGS.search(tags) or _UNSAFE_ATTRIBUTES.search(attributes):
                self._judge(call, call.positional[0].value, scope,
                            "`sanitize` allowing script/style/on* markup")
        for key in ("sanitize", "escape"):
            option = call.keyword(key)
            if option is not None and treeutil.text(option.value) == "false" and call.positional:
                self._judge(call, call.positional[0].value, scope,
                            f"`{name}(..., {key}: false)`")
        if _BROADCAST.match(name):
            # turbo-rails inserts a broadcast's html:/content: into the stream as it is
            for key in ("html", "content"):
                option = call.keyword(key)
                if option is not None:
                    self._judge(call, option.value, scope, f"`{name}(..., {key}:)`",
                                at=option.node)
        elif name in _STREAM_ACTIONS and call.receiver_text == "turbo_stream" and \
                len(call.positional) > 1:
            # the content argument is marked safe as it is (``html:`` goes through
            # ``render html:``, which escapes)
            self._judge(call, call.positional[1].value, scope, f"`turbo_stream.{name}`")

    def _judge(self, call: CallSite, value: Node, scope: Scope, what: str,
               at: Node | None = None) -> None:
        owner = self.graph.owner_of(call)
        if owner is not None and owner.kind == "def" and owner.key not in self.reachable:
            return  # a sink no request, job or view reaches renders nothing today
        origins = self.taint.origins(value, scope)
        if not origins & TAINTED or never_runs(call.node):
            return  # (never_runs: a branch an earlier ``next if`` of the same body has left)
        self._report(call.path, at or call.node, what, origins)

    def _raw_output_tags(self, path: str) -> None:
        """``<%== x %>``: the ERB tag that outputs without escaping."""
        source = self.ctx.project.files[path]
        root = source.root
        if root is None:
            return
        for tag in source.erb_tags:
            if not tag.raw_output:
                continue
            node = _expression_in(root, tag.start_byte, tag.end_byte)
            if node is not None:
                origins = self.taint.origins(node, Scope(path, None, None))
                if origins & TAINTED and not never_runs(node):
                    self._report(path, node, "`<%==`", origins)

    # -- JavaScript ---------------------------------------------------------------------------
    def _javascript(self) -> None:
        wiring = self.ctx.analyses.stimulus
        used = wiring.used_identifiers()
        unused = {c.path for ident, c in wiring.controllers.items()
                  if c.path is not None and ident not in used}
        for source in sorted(self.ctx.project.app_files(), key=lambda s: s.path):
            if source.kind == "javascript":
                has_code = source.root is not None
            elif source.kind == "erb":
                has_code = "<script" in source.text
            else:
                continue
            # (a file whose text holds no request call and no markdown render has none in
            # its code or scripts: both walks below would find nothing, so it is skipped
            # before the file tests and before its scripts are parsed)
            if not has_code or not (may_fetch(source.text) or
                                    may_render_markdown(source.text)):
                continue
            if not self._judged(source.path) or source.path in unused:
                continue  # a Stimulus controller no template uses runs nowhere
            scripts = self.ctx.analyses.scripts
            for index, root in enumerate(scripts.roots(source)):
                for sink in markdown_to_html(root):
                    if (source.path, sink.line) in self.seen:
                        continue
                    self.seen.add((source.path, sink.line))
                    self.ctx.report(
                        source.path, sink.line,
                        f"Markdown rendered in the browser (line {sink.fetch_line}) is written "
                        f"into the page through {sink.what} without a sanitizer: raw HTML in "
                        "the text (an LLM answer, a user's note) runs as markup.",
                        column=sink.column,
                        fix="Pass the HTML through DOMPurify.sanitize(...) before inserting it.",
                        confidence=Confidence.MEDIUM, data={"origins": "markdown"})
                for sink in scripts.fetch_sinks(source, index):
                    if not sink.interpolated or (source.path, sink.line) in self.seen:
                        continue
                    self.seen.add((source.path, sink.line))
                    self.ctx.report(
                        source.path, sink.line,
                        f"Data fetched from the server (line {sink.fetch_line}) is interpolated "
                        f"into markup written through {sink.what} without escaping: a title, "
                        "name or answer in the response (an LLM reply, another user's record) "
                        "runs as HTML (reported, not scored: what the fields hold is not "
                        "followed to the server).",
                        column=sink.column,
                        fix="Build the elements with textContent, escape each value, or pass "
                            "the HTML through DOMPurify.sanitize(...).",
                        confidence=Confidence.LOW, data={"origins": "fetched"})


#: Method names :meth:`UnescapedLlmOutput._call_sink` can judge whatever their keywords.
_SINK_NAMES = frozenset({"html_safe", "raw", "sanitize"}) | _STREAM_ACTIONS
_SINK_KEYWORDS = ("sanitize", "escape")


def _may_sink(call: CallSite) -> bool:
    """A cheap superset of the calls ``_call_sink`` judges (it checks each exactly): most
    of an app's calls are none, and need neither a scope nor a file test."""
    name = call.method
    if name in _SINK_NAMES or name.startswith("broadcast_"):
        return True
    for arg in call.args:  # a loop, not any(): this runs for every call of the app
        if arg.name in _SINK_KEYWORDS and arg.kind == "keyword":
            return True
    return False


def _expression_in(root: Node, start: int, end: int) -> Node | None:
    """The first named node of the Ruby tree lying inside an ERB tag's byte range."""
    best = None
    for node in treeutil.walk(root, lambda n: n.start_byte < end and n.end_byte > start):
        if node.is_named and node.start_byte >= start and node.end_byte <= end and \
                node.type not in ("program", "comment"):
            best = node
            break
    return best
