"""RG701: a controller action that talks to the LLM, builds prompts or branches at length."""

from __future__ import annotations

import re

from rubygrade import treeutil
from rubygrade.analysis.entries import entry_kind, is_controller
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import MethodDef
from rubygrade.models import Dimension, Severity

MAX_ACTION_LINES = 30
MAX_BRANCHES = 8
#: Outside the chat controllers only a gross excess counts (twice the limits).
_CHAT_CONTROLLER = re.compile(r"Chat|Message|Conversation|Assistant|Prompt|Completion|Llm|LLM"
                              r"|(?:^|::)A[Ii][A-Z]")
_BRANCH_NODES = {"if", "unless", "elsif", "case", "when", "while", "until", "for",
                 "conditional", "if_modifier", "unless_modifier", "rescue", "in_clause"}
_PROMPT = re.compile(r"\bYou are\b|\bsystem prompt\b|with_instructions|\bprompt\s*=\s*<<[~-]",
                     re.I)
_LLM_SETUP = re.compile(r"RubyLLM\s*\.\s*chat\b|RubyLLM::Chat\.new")


def branches(method: MethodDef) -> int:
    return sum(1 for n in treeutil.walk(method.node) if n.type in _BRANCH_NODES or
               n.type == "binary" and treeutil.text(n.child_by_field_name("operator"))
               in ("&&", "||", "and", "or"))


def logic_lines(method: MethodDef) -> int:
    """Lines of the method, not counting big hash/array/heredoc literals (data, not logic)."""
    data = 0
    stack = [method.node]
    while stack:
        node = stack.pop()
        if node.type in ("hash", "array", "heredoc_body") and \
                node.end_point[0] - node.start_point[0] >= 4:
            data += node.end_point[0] - node.start_point[0]
            continue
        stack.extend(node.named_children)
    return method.line_count - data


class LogicInController(Rule):
    """A controller action holds the LLM logic: it builds the chat, the prompt or long branching.

    ## What it does
    For each public controller action, counts what belongs in a service: a
    direct LLM call or `RubyLLM.chat` set-up (in the action or in a private
    helper of the same controller that it calls), a prompt built inline
    (`with_instructions`, "You are ..."), more than 30 lines of code (big
    data literals aside), or more than 8 branches (twice that outside chat
    controllers). Reports the action once, naming what it found.

    ## Why is this bad?
    Fat controllers are hard to test (every test is a request test) and the
    LLM logic cannot be reused from a job or a channel.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        chat = RubyLLM.chat(model: "anthropic/claude-sonnet-4.5")
        chat.with_instructions("You are a helpful assistant.")
        @reply = chat.ask(params[:content])
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = ChatResponder.new(session_history).reply(params[:content])
      end
    end
    ```
    """

    id = "RG701"
    name = "logic-in-controller"
    dimension = Dimension.ARCHITECTURE
    severity = Severity.WARNING
    scope = ("app/controllers/",)

    def check(self, ctx: Context) -> None:
        llm_methods: dict[str, str] = {}
        for item in ctx.analyses.llm_calls:
            method = item.call.enclosing_method
            if method is not None and is_controller(ctx.project, method):
                llm_methods.setdefault(method.key, f"calls {item.api}")
        graph = ctx.analyses.call_graph
        for method in sorted(ctx.index.methods, key=lambda m: (m.path, m.line)):
            if not is_controller(ctx.project, method) or entry_kind(ctx.project, method) != "action" or \
                    method.owner.endswith("ApplicationController"):
                continue
            reasons: list[str] = []
            own = [method.key] + [k for k in graph.callees(method.key)
                                  if k.split("#")[0] == method.owner]
            for key in own:
                if key in llm_methods:
                    where = "" if key == method.key else f" (via {key.split('#')[-1]})"
                    reasons.append(llm_methods[key] + where)
                    break
            body = treeutil.text(method.node)
            if not reasons and _LLM_SETUP.search(body):
                reasons.append("sets up RubyLLM.chat")
            if _PROMPT.search(body):
                reasons.append("builds the prompt inline")
            factor = 1 if reasons or _CHAT_CONTROLLER.search(method.owner) else 2
            lines = logic_lines(method)
            if lines > MAX_ACTION_LINES * factor:
                reasons.append(f"{lines} lines of code (limit {MAX_ACTION_LINES * factor})")
            count = branches(method)
            if count > MAX_BRANCHES * factor:
                reasons.append(f"{count} branches (limit {MAX_BRANCHES * factor})")
            if reasons:
                ctx.report(method.path, method.line,
                           f"{method.key} holds logic that belongs in a service: "
                           f"{'; '.join(reasons)}.",
                           fix="Move the LLM conversation into a PORO under app/services "
                               "and keep the action to params, one service call and render.")
