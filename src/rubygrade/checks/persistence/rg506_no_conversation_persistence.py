"""RG506: the conversation is not stored anywhere between requests."""

from __future__ import annotations

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.index.model import CallSite
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Dimension, Severity

#: The start of a read of the request's params (``params``, ``params.require(...)``,
#: ``message_params``).
_PARAMS_READ = lazy_compile(r"(?:params|\w+_params)\b(?:\s*\(\s*\))?\s*(?:\.require\([^)]*\))?\s*[\[.]")
#: A word of a class or file name that speaks of a conversation with the model.
_CONVERSATION = lazy_compile(r"(?:^|[_/:.])(?:chat|chatbot|conversation|message|assistant|bot|dialog|"
                             r"dialogue)s?(?=[_/:.#]|$)")


class NoConversationPersistence(Rule):
    """The app chats with the model but keeps no conversation between requests.

    ## What it does
    When the app holds a conversation with the model, looks for a place it is
    kept: the session, `Rails.cache`, a database model (`acts_as_chat`), or
    even process memory (reported by RG501). Reports at the first send when
    there is none.

    A send is part of a conversation when it sends the user's message as it
    came (`ask(params[:content])`), or when the class or file that holds it, or
    one on a call path to it, is named for one (chat, conversation, message,
    assistant, bot, dialog). When no send is (every call is a one-shot task:
    summarise an article, shorten a tweet through a prompt template, extract
    invoice fields), the finding says so instead (shape `one_shot`): there is no
    history to lose, but the brief's chat has none either, and the rubric scores
    that persistence as demo-only too.

    ## Why is this bad?
    Without stored history the app is a demo: a page reload or the next message
    loses the conversation.

    ## Example
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        @reply = RubyLLM.chat.ask(params[:content]).content
      end
    end
    ```

    Use instead:
    ```ruby app/controllers/chats_controller.rb
    class ChatsController < ApplicationController
      def create
        history = Array(session[:messages]).last(20)
        chat = RubyLLM.chat
        history.each { |m| chat.add_message(role: m["role"], content: m["content"]) }
        @reply = chat.ask(params[:content]).content
        turn = [{ "role" => "user", "content" => params[:content] },
                { "role" => "assistant", "content" => @reply }]
        session[:messages] = (history + turn).last(20)
      end
    end
    ```
    """

    id = "RG506"
    name = "no-conversation-persistence"
    dimension = Dimension.PERSISTENCE
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        if ctx.analyses.history.stored or ctx.analyses.state:
            return
        sends = [c.call for c in ctx.analyses.llm_calls
                 if c.chat_turn and ctx.project.is_app_code(c.call.path)]
        if not sends:
            return
        chat = next((call for call in sends if _converses(ctx, call)), None)
        if chat is not None:
            ctx.report_node(chat.path, chat.node,
                            "The conversation is stored nowhere (no session, Rails.cache or "
                            "database): every message starts from scratch.",
                            fix="Keep the history in the session (capped) or Rails.cache with "
                                "expires_in, and replay it into the chat.")
            return
        more = f" and {len(sends) - 1} more" if len(sends) > 1 else ""
        ctx.report_node(sends[0].path, sends[0].node,
                        f"Every LLM call here is a one-shot task (this one{more}): the app "
                        "holds no conversation with the model, so there is no chat history "
                        "to keep, and the persistence the brief asks for is demo-only.",
                        fix="If the app is meant to chat, keep each conversation (an "
                            "acts_as_chat record, or the session capped) and replay it.",
                        data={"shape": "one_shot"})


def _converses(ctx: Context, call: CallSite) -> bool:
    """The send passes the user's message verbatim, or its file or class, or a caller's,
    is named for a conversation."""
    if call.positional and _verbatim_param(ctx, call.positional[0].value, call):
        return True
    graph = ctx.analyses.call_graph
    owner = graph.owner_of(call)
    names = [call.path]
    if owner is not None:
        names += [owner.owner, owner.path]
        for key in sorted(graph.ancestors(owner.key)):
            method = graph.methods.get(key)
            if method is not None:
                names += [method.owner, method.path]
    return any(_CONVERSATION.search(treeutil.underscore(name)) for name in names)


def _verbatim_param(ctx: Context, node: Node | None, call: CallSite, hops: int = 2) -> bool:
    """``params[:content]`` (or ``params.require(:m)[:content]``, ``message_params[:x]``), or a
    local assigned one: the prompt is what the user typed, not a task built around it."""
    if node is None:
        return False
    if node.type == "element_reference":
        return _PARAMS_READ.match(treeutil.text(node)) is not None
    if node.type == "call" and treeutil.text(node.child_by_field_name("method")) in ("fetch", "dig"):
        return _PARAMS_READ.match(treeutil.text(node)) is not None
    if node.type == "identifier" and hops > 0:
        writes = ctx.index.local_assignments(call.enclosing_method, call.path, treeutil.text(node))
        return bool(writes) and all(_verbatim_param(ctx, w.value, call, hops - 1) for w in writes)
    return False
