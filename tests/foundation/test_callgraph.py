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
