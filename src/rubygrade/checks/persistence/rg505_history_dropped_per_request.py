"""RG505: each request builds a fresh chat and asks it without replaying the stored history."""

from __future__ import annotations

import re

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.analysis.entries import entry_kind
from rubygrade.analysis.usage import HISTORY_IN_INSTRUCTIONS
from rubygrade.analysis.values import scope_of_call
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import Assignment, CallSite, MethodDef
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Confidence, Dimension, Severity

_MESSAGES = lazy_compile(r"(?:^|[.@])messages\b")
_NEW_CHAT = re.compile(r"RubyLLM\s*\.\s*chat\b|RubyLLM::Chat\.new")
#: The request handles a stored conversation: it reads or writes the history somewhere.
_TOUCHES_HISTORY = lazy_compile(r"session\s*\[\s*[:'\"]\w*(?:messag|histor|conversation|transcript)"
                                r"|Rails\.cache|\.messages\b|\bhistory\b", re.I)


class HistoryDroppedPerRequest(Rule):
    """A new chat per request, asked only the newest message: the stored history is thrown away.

    ## What it does
    For each `ask` that sends the user's new turn (its text comes from the request)
    to a chat built in the same method (or in the same object's `initialize`) with
    `RubyLLM.chat`, on the way from a controller action that handles the stored
    conversation (session, cache, `messages`), checks that earlier turns are
    replayed first (`add_message` for each stored message, in that method, its
    class or what they call, or the stored history in the prompt). One-shot
    tasks (a title, a classification, a summary, a title made from the first
    stored message) are not the conversation and are skipped.

    ## Why is this bad?
    The app looks multi-turn (it shows and stores the conversation) but the
    model answers every message without context: "what did I just ask?" fails.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        session[:messages] << { role: "user", content: params[:content] }
        @reply = RubyLLM.chat.ask(params[:content])
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        chat = RubyLLM.chat
        session[:messages].each { |m| chat.add_message(role: m["role"], content: m["content"]) }
        @reply = chat.ask(params[:content])
      end
    end
    ```
    """

    id = "RG505"
    name = "history-dropped-per-request"
    dimension = Dimension.PERSISTENCE
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        if not ctx.analyses.history.stored:
            return
        self.ctx = ctx
        # Per run, what several chat sends would otherwise each recompute: the writes of a
        # name that build a chat, whether a class replays history, the route to a method.
        self._chat_writes: dict[tuple[str, str], list[Assignment]] = {}
        self._local_builds: dict[str, dict[int, int]] = {}  # name -> id(method) -> line
        self._replays_memo: dict[tuple[str, str], bool] = {}
        self._routes: dict[str, list[str] | None] = {}
        # methods whose chat gets the stored messages in its system prompt
        instructed = {c.enclosing_method.key for c, how in ctx.analyses.usage.multi_turn
                      if how == HISTORY_IN_INSTRUCTIONS and c.enclosing_method is not None}
        for item in ctx.analyses.llm_calls:
            call = item.call
            if not item.chat_turn or \
                    not ctx.project.is_app_code(call.path) or call.enclosing_method is None:
                continue
            how = self._fresh_chat(call)
            if how is None or call.enclosing_method.key in instructed or \
                    self._replays(call.enclosing_method):
                continue
            sent = ctx.analyses.taint.origins(call.positional[0].value, scope_of_call(call)) \
                if call.positional else frozenset()
            if "params" not in sent or "history" in sent or _first_stored(ctx, call):
                continue  # not the user's new turn (a title, a summary), or history in the prompt
            route = self._route(call.enclosing_method)
            if route is None:
                continue  # a one-shot task (classify, summarise), not the user's conversation
            ctx.report_node(
                call.path, call.node,
                f"`{call.method}` goes to a chat {how} and replays none of the stored history: "
                f"every request from {route[0]} starts the conversation over.",
                fix="Replay the stored messages with chat.add_message before ask, or use an "
                    "acts_as_chat record that keeps them.",
                confidence=Confidence.HIGH if "in this method" in how else Confidence.MEDIUM)

    def _route(self, method: MethodDef) -> list[str] | None:
        """The shortest route from an action or a channel to ``method``, when a method on it
        handles the stored conversation (else None); memoised per method."""
        if method.key in self._routes:
            return self._routes[method.key]
        ctx, graph = self.ctx, self.ctx.analyses.call_graph
        route = graph.path_from_entry(method.key, lambda k: (
            (m := graph.methods.get(k)) is not None and
            entry_kind(ctx.project, m) in ("action", "channel")))
        if route is not None and not any(
                _TOUCHES_HISTORY.search(treeutil.text(graph.methods[k].node))
                for k in route if k in graph.methods):
            route = None
        self._routes[method.key] = route
        return route

    def _fresh_chat(self, call: CallSite) -> str | None:
        recv = call.receiver
        if recv is None:
            return None
        if recv.type == "call" and _NEW_CHAT.search(treeutil.text(recv)):
            return "built in this method"
        method = call.enclosing_method
        target = "local" if recv.type == "identifier" else "ivar" if \
            recv.type == "instance_variable" else None
        if target is None or method is None:
            return None
        if target == "local":
            return "built in this method" if self._local_chat_built(
                treeutil.text(recv), method, call.line) else None
        for a in self._chat_builds(target, treeutil.text(recv)):
            if a.enclosing_method is method and a.line <= call.line:
                return "built in this method"
            if a.enclosing_method is not None and a.enclosing_method.name == "initialize" and \
                    a.enclosing_class == call.enclosing_class and a.operator == "=":
                return f"built in {a.enclosing_method.key}"
        return None

    def _local_chat_built(self, name: str, method: MethodDef, line: int) -> bool:
        """A write of local ``name`` in ``method``, at or before ``line``, builds a chat.
        The first such line per method, per name: each send looked through every write of
        its receiver's name in the app (one name, ``chat``, has a write in most methods)."""
        firsts = self._local_builds.get(name)
        if firsts is None:
            firsts = self._local_builds[name] = {}
            for a in self._chat_builds("local", name):
                if a.enclosing_method is not None:
                    key = id(a.enclosing_method)
                    firsts[key] = min(a.line, firsts.get(key, a.line))
        first = firsts.get(id(method))
        return first is not None and first <= line

    def _chat_builds(self, target: str, name: str) -> list[Assignment]:
        """The writes of local or ivar ``name`` whose value builds a chat, in index order
        (memoised: each send's receiver would rescan every write of its name)."""
        key = (target, name)
        found = self._chat_writes.get(key)
        if found is None:
            found = self._chat_writes[key] = [
                a for a in self.ctx.index.assignments_to(target, name)
                if a.value is not None and _NEW_CHAT.search(treeutil.text(a.value))]
        return found

    def _replays(self, method: MethodDef) -> bool:
        """Some method of the send's class (in its file) or what they reach replays the
        stored messages: the same answer for every send of that class and file."""
        key = (method.owner, method.path)
        known = self._replays_memo.get(key)
        if known is None:
            known = self._replays_memo[key] = _replays(self.ctx, self._own(key))
        return known

    def _own(self, key: tuple[str, str]) -> list[str]:
        """The method keys of an (owner, path), in index order: the owner's methods (the
        index keeps them by owner, in its order) of that file, not a scan of every method."""
        owner, path = key
        return [m.key for m in self.ctx.index.methods_of(owner) if m.path == path]


def _first_stored(ctx: Context, call: CallSite) -> bool:
    """The prompt reads the conversation's first stored message (``messages.first.content``,
    or a local assigned ``...where(role: "user").order(:created_at).first``): a title or a
    summary made from the opening turn, not the user's new one."""
    node = call.positional[0].value if call.positional else None
    if node is None or node.type != "call":
        return False
    holder = node.child_by_field_name("receiver")
    if holder is not None and holder.type == "identifier":
        writes = ctx.index.local_assignments(call.enclosing_method, call.path, treeutil.text(holder))
        holder = writes[-1].value if writes else holder
    if holder is None or holder.type != "call" or \
            treeutil.text(holder.child_by_field_name("method")) not in ("first", "first!"):
        return False
    return _MESSAGES.search(treeutil.text(holder)) is not None


def _replays(ctx: Context, keys: list[str]) -> bool:
    reach = ctx.analyses.call_graph.reachable_from(keys)
    for key in sorted(reach):
        target = ctx.analyses.call_graph.methods.get(key)
        if target is None:
            continue
        replay = ctx.analyses.values.roles.replay_methods
        if any(c.method in replay or _messages_append(c.node) for c in
               ctx.index.calls_within(target)):
            return True
    return False


def _messages_append(node: Node) -> bool:
    """``chat.messages << ...`` / ``chat.messages.push``: writes history into the chat."""
    text = treeutil.text(node)
    if not text.endswith(".messages"):
        return False  # most calls: no need to climb to the parent
    parent = treeutil.parent_of(node)
    return parent is not None and \
        (parent.type == "binary" or treeutil.text(parent).startswith(text + ".push"))
