"""Call graph: resolution through self, constants, constructed receivers, and entry paths."""

from __future__ import annotations

from pathlib import Path

from rubygrade.index import Index
from rubygrade.project import load_project

from .helpers import MINIMAL_APP, write_tree

FILES = {
    "app/controllers/messages_controller.rb": """\
class MessagesController < ApplicationController
  def create
    reply = ChatReply.new(session).call(params[:text])
    render plain: reply
  rescue ChatReply::Failed
    head :bad_gateway
  end

  def show
    @service = ChatReply.new(session)
    summarize
  end

  private

  def summarize
    @service.summary
  end
end
""",
    "app/services/chat_reply.rb": """\
class ChatReply
  class Failed < StandardError; end

  def initialize(session)
    @session = session
  end

  def call(text)
    ask_model(text)
  end

  def summary
    ask_model("summarize")
  end

  def self.warm
    new({}).call("hi")
  end

  private

  def ask_model(text)
    RubyLLM.chat.ask(text).content
  end
end
""",
}


def _graph(tmp_path: Path):
    return Index(load_project(write_tree(tmp_path, {**MINIMAL_APP, **FILES}))).call_graph


def test_edges_resolved_with_class_context(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    assert graph.callees("MessagesController#create") == ["ChatReply#call", "ChatReply#initialize"]
    assert "ChatReply#ask_model" in graph.callees("ChatReply#call")
    assert "MessagesController#summarize" in graph.callees("MessagesController#show")
    assert graph.callees("MessagesController#summarize") == ["ChatReply#summary"]  # ivar type
    assert "ChatReply#call" in graph.callees("ChatReply.warm")


def test_path_from_entry_respects_edge_filter(tmp_path: Path) -> None:
    graph = _graph(tmp_path)

    def is_entry(key: str) -> bool:
        return key.startswith("MessagesController#") and graph.methods[key].visibility == "public"

    path = graph.path_from_entry("ChatReply#ask_model", is_entry)
    assert path is not None and path[0].startswith("MessagesController#")
    assert path[-1] == "ChatReply#ask_model"

    def unguarded(sites) -> bool:
        return any(not site.rescues for site in sites)

    only_unguarded = graph.path_from_entry("ChatReply#ask_model", is_entry, unguarded)
    assert only_unguarded == ["MessagesController#show", "MessagesController#summarize",
                              "ChatReply#summary", "ChatReply#ask_model"]


def test_graph_matches_networkx(tmp_path: Path) -> None:
    # The call graph is plain dicts; a networkx copy must hold the same nodes, edges, sites
    # and closures (networkx stays the reference for any graph algorithm).
    import networkx as nx

    from rubygrade.engine import analyse

    example = Path(__file__).resolve().parents[2] / "examples" / "chatapp"
    for graph in (_graph(tmp_path), analyse(example).index.call_graph):
        reference = graph.to_networkx()
        assert list(reference.nodes) == list(graph.graph)
        assert list(reference.edges) == list(graph.graph.edges)
        for caller, callee in reference.edges:
            assert reference.edges[caller, callee]["sites"] == graph.graph.edges[caller, callee]["sites"]
            assert graph.graph.has_edge(caller, callee)
        for key in reference.nodes:
            assert graph.ancestors(key) == nx.ancestors(reference, key)
            assert graph.descendants(key) == nx.descendants(reference, key)
            assert list(graph.graph.successors(key)) == list(reference.successors(key))
            assert list(graph.graph.predecessors(key)) == list(reference.predecessors(key))
        assert graph.reachable_from(list(reference.nodes)[:3]) == set().union(
            *({k} | nx.descendants(reference, k) for k in list(reference.nodes)[:3]))
    assert _graph(tmp_path).ancestors("Nope#nothing") == set()


def test_a_receiverless_call_reaches_a_mixed_in_module_only_from_its_classes(tmp_path: Path) -> None:
    # A partial's `chat` local and a model's `chat` association are not the private `chat`
    # helper of a concern another model includes; a helper module nobody includes (Rails
    # mixes app/helpers into every view) still answers a template's call.
    files = {
        "app/models/concerns/enrichable.rb": """\
module Enrichable
  def enrich!
    chat("Summarise the text")
  end

  private

  def chat(prompt)
    RubyLLM.chat.ask(prompt).content
  end
end
""",
        "app/models/chunk.rb": "class Chunk < ApplicationRecord\n  include Enrichable\nend\n",
        "app/models/message.rb": """\
class Message < ApplicationRecord
  belongs_to :chat

  def broadcast
    chat.touch
  end
end
""",
        "app/helpers/titles_helper.rb": "module TitlesHelper\n  def page_title(t) = t.upcase\nend\n",
        "app/views/chats/_chat.html.erb": "<h2><%= page_title(chat.title) %></h2>\n",
        "app/views/messages/_message.html.erb": "<%= link_to 'Back', message.chat %>\n",
    }
    graph = Index(load_project(write_tree(tmp_path, {**MINIMAL_APP, **files}))).call_graph
    assert graph.callees("Enrichable#enrich!") == ["Enrichable#chat"]
    assert "Enrichable#chat" not in graph.callees("Message#broadcast")
    template = "#<template app/views/chats/_chat.html.erb>"
    assert graph.callees(template) == ["TitlesHelper#page_title"]
    # with a receiver, a private method is out of reach whatever its name
    assert graph.callees("#<template app/views/messages/_message.html.erb>") == []


def test_a_namespaced_base_controller_inherits_the_top_level_one(tmp_path: Path) -> None:
    # `class Settings::ApplicationController < ApplicationController` names the top-level
    # class: the superclass is looked up around the class being defined, never in it.
    files = {
        "app/controllers/settings/application_controller.rb":
            "class Settings::ApplicationController < ApplicationController\nend\n",
        "app/controllers/settings/people_controller.rb": """\
module Settings
  class PeopleController < ApplicationController
    def update
      audit
    end
  end
end
""",
        "app/controllers/application_controller.rb": """\
class ApplicationController < ActionController::Base
  def audit
    Rails.logger.info("audit")
  end
end
""",
    }
    index = Index(load_project(write_tree(tmp_path, {**MINIMAL_APP, **files})))
    assert index.ancestors("Settings::PeopleController") == [
        "Settings::PeopleController", "Settings::ApplicationController", "ApplicationController",
        "ActionController::Base"]
    assert index.call_graph.callees("Settings::PeopleController#update") == ["ApplicationController#audit"]
