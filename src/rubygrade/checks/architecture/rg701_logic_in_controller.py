"""RG701: a controller action that talks to the LLM, sets up its chat or writes its prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rubygrade.analysis.roles import Roles
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import CallSite, MethodDef
from rubygrade.models import Dimension, Severity

if TYPE_CHECKING:
    from rubygrade.callgraph import CallGraph


class LogicInController(Rule):
    """A controller action holds the LLM logic: it calls the model, sets up the chat or writes the prompt.

    ## What it does
    For each controller action (a public method, or a method Rails calls for
    the request: a `before_action` callback, a `helper_method` the views
    call), looks for the LLM work a service should do, in the action or in
    the controller's own helpers it calls (private methods,
    `ApplicationController`, controller concerns):

    - a call that sends a request to a model (`ask`, `say`, `complete`,
      `embed`..., or another LLM client), as the shared list of LLM calls
      finds them through the value flow, wrappers included;
    - a chat built or configured there (`RubyLLM.chat`, `RubyLLM::Chat.new`,
      `with_instructions`, `with_tools`... on a RubyLLM value);
    - a prompt written there: a string literal or heredoc whose text reaches
      the message of `ask`/`say`, `with_instructions`, the `content:` of
      `add_message` or a keyword of `RubyLLM.chat`, through locals, helpers,
      parameters, instance variables or a model column (the prompt analysis).

    A word such as "You are" in a flash message or a comment is not a
    prompt, and a long action that never touches the LLM is not this rule's
    business. An action that another action of the same controller calls
    is a helper: its LLM work is reported on the caller.

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
        graph = ctx.analyses.call_graph
        values = ctx.analyses.values
        roles = values.roles
        calls: dict[str, list[tuple[int, str]]] = {}
        for item in ctx.analyses.llm_calls:
            method = item.call.enclosing_method
            if method is not None:
                calls.setdefault(method.key, []).append((item.call.line, f"calls {item.api}"))
        # One pass over the methods, one folder test per file: the controller code (where a
        # chat set-up counts) and the candidate actions (controller methods, in index order).
        self._in_controllers: dict[str, bool] = {}
        setup: dict[str, list[tuple[int, str]]] = {}
        candidates: list[MethodDef] = []
        for method in ctx.index.methods:
            if not self._in_controller_folder(ctx, method.path):
                continue
            if method.owner.endswith("Controller"):  # is_controller
                candidates.append(method)
            if method.kind != "def":
                continue
            for call in ctx.index.calls_within(method):
                what = self._chat_setup(ctx, call, roles)
                if what is not None:
                    setup.setdefault(method.key, []).append((call.line, what))
        prompts: dict[str, list[int]] = {}
        for literal in ctx.analyses.prompts.literals:
            if literal.method is not None:
                prompts.setdefault(literal.method, []).append(literal.line)

        entries = ctx.analyses.entries
        actions = [m for m in candidates
                   if not m.owner.endswith("ApplicationController") and
                   entries.kind(m) == "action"]
        action_keys = {m.key for m in actions}
        # callees of a method, sorted: asked again by every action that reaches it
        self._callees: dict[str, list[str]] = {}
        helpers = {callee for m in actions for callee in self._callees_of(graph, m.key)
                   if callee in action_keys and callee.split("#")[0] == m.owner}
        # the methods holding LLM work: only they add to a reason
        holding = set(calls) | set(setup) | set(prompts)
        for method in sorted(actions, key=lambda m: (m.path, m.line)):
            if method.key in helpers:
                continue
            own = [key for key in self._own_methods(ctx, method, action_keys) if key in holding]
            if not own:
                continue  # nothing it reaches calls the model, sets up a chat or writes a prompt
            reasons: list[str] = []
            found = sorted(x for key in own for x in calls.get(key, ()))
            if found:
                line, what = found[0]
                more = f" and {len(found) - 1} more" if len(found) > 1 else ""
                reasons.append(f"{what} (line {line}{more})")
            built = sorted(x for key in own for x in setup.get(key, ()))
            if built:
                names = ", ".join(dict.fromkeys(what for _, what in built))
                reasons.append(f"sets up the chat ({names}; line {built[0][0]})")
            lines = sorted({line for key in own for line in prompts.get(key, ())})
            if lines:
                reasons.append(f"writes the prompt (line {lines[0]}"
                               f"{f' and {len(lines) - 1} more' if len(lines) > 1 else ''})")
            if reasons:
                ctx.report(method.path, method.line,
                           f"{method.key} holds LLM logic that belongs in a service: "
                           f"{'; '.join(reasons)}.",
                           fix="Move the LLM conversation (chat set-up, prompt, call) into a "
                               "PORO under app/services and keep the action to params, one "
                               "service call and render.")

    def _in_controller_folder(self, ctx: Context, path: str) -> bool:
        """``path`` is under app/controllers/ (memoised per file)."""
        known = self._in_controllers.get(path)
        if known is None:
            known = self._in_controllers[path] = \
                (ctx.project.app_relative(path) or "").startswith("app/controllers/")
        return known

    def _controller_code(self, ctx: Context, method: MethodDef) -> bool:
        return method.kind == "def" and self._in_controller_folder(ctx, method.path)

    def _callees_of(self, graph: CallGraph, key: str) -> list[str]:
        found = self._callees.get(key)
        if found is None:
            found = self._callees[key] = graph.callees(key)
        return found

    def _own_methods(self, ctx: Context, action: MethodDef, action_keys: set[str]) -> set[str]:
        """The action and the controller code it reaches: its class's helpers, its base
        controllers' and concerns' methods (never another controller's action)."""
        graph = ctx.analyses.call_graph
        own = {action.key}
        stack = [action.key]
        while stack:
            for callee in self._callees_of(graph, stack.pop()):
                method = graph.methods.get(callee)
                if callee in own or method is None or not self._controller_code(ctx, method):
                    continue
                if callee in action_keys and method.owner != action.owner:
                    continue
                own.add(callee)
                stack.append(callee)
        return own

    @staticmethod
    def _chat_setup(ctx: Context, call: CallSite, roles: Roles) -> str | None:
        if call.method in roles.entry_module_methods and \
                call.receiver_constant in ("RubyLLM", "::RubyLLM"):
            return f"RubyLLM.{call.method}"
        if call.method == "new" and call.receiver_constant is not None and \
                call.receiver_constant.removeprefix("::") in roles.entry_constructors:
            return f"{call.receiver_constant.removeprefix('::')}.new"
        if call.method.startswith("with_") and call.receiver is not None:
            recv = ctx.analyses.values.receiver_type(call)
            if recv is not None and recv.is_rubyllm and recv.kind in ("instance", "record") \
                    and ctx.catalogue is not None and \
                    ctx.catalogue.find_method(recv.owner, call.method, False) is not None:
                return call.method  # the gem's ``with_*``, not a model scope of that name
        return None
