"""A small hand-written Rails + RubyLLM app, and helpers to grade hostile variants of it."""

from __future__ import annotations

import json
from pathlib import Path

from foundation.helpers import write_tree  # noqa: F401  (re-exported for the robustness tests)

from rubygrade.engine import Options, grade
from rubygrade.models import Report
from rubygrade.render import render

BASE_APP: dict[str, str] = {
    "Gemfile": (
        'source "https://rubygems.org"\n'
        'gem "rails", "~> 8.1.1"\n'
        'gem "ruby_llm", "~> 1.14"\n'
        'gem "turbo-rails"\n'
    ),
    "Gemfile.lock": (
        "GEM\n"
        "  remote: https://rubygems.org/\n"
        "  specs:\n"
        "    rails (8.1.1)\n"
        "    ruby_llm (1.14.0)\n"
        "      faraday (>= 1.10.0)\n"
        "    turbo-rails (2.0.20)\n"
        "\n"
        "PLATFORMS\n"
        "  x86_64-linux\n"
        "\n"
        "DEPENDENCIES\n"
        "  rails (~> 8.1.1)\n"
        "  ruby_llm (~> 1.14)\n"
        "  turbo-rails\n"
        "\n"
        "BUNDLED WITH\n"
        "   2.6.9\n"
    ),
    "config/application.rb": (
        'require_relative "boot"\n'
        "module Probe\n"
        "  class Application < Rails::Application\n"
        "    config.load_defaults 8.1\n"
        "  end\n"
        "end\n"
    ),
    "config/routes.rb": (
        "Rails.application.routes.draw do\n"
        '  root "chats#index"\n'
        "  resources :chats, only: %i[index create]\n"
        "end\n"
    ),
    "app/controllers/application_controller.rb": (
        "class ApplicationController < ActionController::Base\nend\n"
    ),
    "app/controllers/chats_controller.rb": (
        "class ChatsController < ApplicationController\n"
        "  def index\n"
        "    @answer = session[:answer]\n"
        "  end\n"
        "\n"
        "  def create\n"
        '    chat = RubyLLM.chat(model: "gpt-4.1-mini")\n'
        '    chat.with_instructions("Be brief.")\n'
        "    response = chat.ask(params.require(:question))\n"
        "    session[:answer] = response.content\n"
        "    redirect_to root_path\n"
        "  rescue RubyLLM::Error => e\n"
        "    redirect_to root_path, alert: e.message\n"
        "  end\n"
        "end\n"
    ),
    "app/views/chats/index.html.erb": (
        '<div data-controller="chat">\n'
        "  <% if @answer.present? %>\n"
        '    <p class="answer"><%= @answer %></p>\n'
        "  <% end %>\n"
        "  <%= form_with url: chats_path do |f| %>\n"
        "    <%= f.text_area :question %>\n"
        '    <%= f.submit "Ask" %>\n'
        "  <% end %>\n"
        "</div>\n"
    ),
    "app/javascript/controllers/chat_controller.js": (
        'import { Controller } from "@hotwired/stimulus"\n'
        "\n"
        "export default class extends Controller {\n"
        "  connect() {\n"
        "    this.element.scrollTop = this.element.scrollHeight\n"
        "  }\n"
        "}\n"
    ),
    "test/controllers/chats_controller_test.rb": (
        'require "test_helper"\n'
        "\n"
        "class ChatsControllerTest < ActionDispatch::IntegrationTest\n"
        '  test "shows the form" do\n'
        "    get root_url\n"
        "    assert_response :success\n"
        "  end\n"
        "end\n"
    ),
    "Dockerfile": (
        "FROM ruby:3.4-slim\n"
        "WORKDIR /rails\n"
        "COPY Gemfile Gemfile.lock ./\n"
        "RUN bundle install\n"
        "COPY . .\n"
        'CMD ["bin/rails", "server", "-b", "0.0.0.0"]\n'
    ),
    "docker-compose.yml": (
        "services:\n"
        "  web:\n"
        "    build: .\n"
        "    ports:\n"
        '      - "3000:3000"\n'
        "    environment:\n"
        "      OPENAI_API_KEY: ${OPENAI_API_KEY}\n"
    ),
}


def write_app(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    return write_tree(root, {**BASE_APP, **(extra or {})})


def grade_ok(root: Path, options: Options | None = None) -> Report:
    """Grade ``root``; the report must render in every format and its JSON must parse."""
    return renders(grade(root, options))


def renders(report: Report) -> Report:
    """The report renders in every format, and its JSON parses."""
    json.loads(render(report, "json"))
    render(report, "text")
    render(report, "text", verbose=True)
    return report


def diagnostics_for(report: Report, path: str, kind: str | None = None) -> list[str]:
    return [d.message for d in report.diagnostics
            if d.path == path and (kind is None or d.kind == kind)]
