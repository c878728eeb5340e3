# ruff: noqa: E501  (the templates keep the long lines generated views have)
"""Make synthetic Rails + RubyLLM apps N times the size of the example app, for benchmarks.

The base is a copy of ``examples/chatapp``; every extra "resource" adds a
controller, a service that talks to RubyLLM, a model, a job, views, a Stimulus
controller and tests, written from the templates below (our own code, shaped
like what agents generate). One resource is about the size of the example
app's code, so ``--factor 10`` gives an app about ten times as large.

    python benchmarks/generate.py --factor 100 /tmp/rg-bench/app100
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chatapp"

CONTROLLER = '''\
class {plural_camel}Controller < ApplicationController
  before_action :set_{singular}, only: %i[show edit update destroy]

  def index
    @{plural} = {camel}.order(created_at: :desc).limit(50)
  end

  def show
    @replies = @{singular}.replies.includes(:author).order(:created_at)
  end

  def new
    @{singular} = {camel}.new
  end

  def create
    @{singular} = {camel}.new({singular}_params)
    if @{singular}.save
      {camel}ReplyJob.perform_later(@{singular}.id)
      redirect_to @{singular}, notice: "{camel} was created."
    else
      render :new, status: :unprocessable_entity
    end
  end

  def update
    if @{singular}.update({singular}_params)
      redirect_to @{singular}, notice: "{camel} was updated."
    else
      render :edit, status: :unprocessable_entity
    end
  end

  def destroy
    @{singular}.destroy!
    redirect_to {plural}_path, notice: "{camel} was deleted.", status: :see_other
  end

  def summarize
    @summary = {camel}Summarizer.new(@{singular}).call
    respond_to do |format|
      format.turbo_stream
      format.html {{ redirect_to @{singular} }}
    end
  rescue RubyLLM::Error => e
    Rails.logger.warn("[{camel}] summary failed: #{{e.message}}")
    redirect_to @{singular}, alert: "The assistant is unavailable right now."
  end

  private

  def set_{singular}
    @{singular} = {camel}.find(params[:id])
  end

  def {singular}_params
    params.expect({singular}: [ :title, :body, :model_id ])
  end
end
'''

SERVICE = '''\
# Asks the model for a short summary of one {singular} and its replies.
class {camel}Summarizer
  MODEL = "gpt-4.1-mini"
  INSTRUCTIONS = <<~TEXT.squish
    Summarize the conversation in three sentences. Keep names and numbers.
    If the conversation is empty, answer with a single dash.
  TEXT

  def initialize({singular}, client: RubyLLM)
    @{singular} = {singular}
    @client = client
  end

  def call
    return "-" if @{singular}.replies.empty?

    chat = @client.chat(model: @{singular}.model_id.presence || MODEL)
    chat.with_instructions(INSTRUCTIONS)
    chat.with_temperature(0.2)
    transcript.each do |line|
      chat.add_message(role: line[:role], content: line[:content])
    end
    response = chat.ask("Summarize the conversation above.")
    store(response)
    response.content
  rescue RubyLLM::RateLimitError, RubyLLM::ServerError => e
    Rails.logger.warn("[{camel}Summarizer] #{{e.class}}: #{{e.message}}")
    "The summary is not available right now."
  end

  private

  def transcript
    @{singular}.replies.order(:created_at).map do |reply|
      {{ role: reply.author&.assistant? ? :assistant : :user, content: reply.body.to_s }}
    end
  end

  def store(response)
    @{singular}.update!(
      summary: response.content,
      input_tokens: response.input_tokens.to_i,
      output_tokens: response.output_tokens.to_i
    )
  end
end
'''

MODEL = '''\
class {camel} < ApplicationRecord
  has_many :replies, class_name: "{camel}Reply", dependent: :destroy
  belongs_to :owner, class_name: "User", optional: true

  validates :title, presence: true, length: {{ maximum: 200 }}
  validates :body, length: {{ maximum: 20_000 }}

  scope :recent, -> {{ where(created_at: 1.week.ago..).order(created_at: :desc) }}

  broadcasts_to ->({singular}) {{ [ {singular}.owner, :{plural} ] }}, inserts_by: :prepend

  def token_total
    input_tokens.to_i + output_tokens.to_i
  end

  def to_param
    "#{{id}}-#{{title.parameterize}}"
  end
end
'''

JOB = '''\
class {camel}ReplyJob < ApplicationJob
  queue_as :default
  retry_on RubyLLM::RateLimitError, wait: :polynomially_longer, attempts: 5
  discard_on ActiveRecord::RecordNotFound

  def perform({singular}_id)
    {singular} = {camel}.find({singular}_id)
    chat = RubyLLM.chat(model: {singular}.model_id)
    reply = {singular}.replies.create!(body: "")
    chat.ask({singular}.body) do |chunk|
      next if chunk.content.blank?

      reply.update_column(:body, reply.body + chunk.content)
      reply.broadcast_replace_to({singular}, target: reply)
    end
  end
end
'''

INDEX_VIEW = '''\
<% content_for :title, "{plural_camel}" %>
<div class="mx-auto max-w-3xl px-4 py-8">
  <div class="flex items-center justify-between">
    <h1 class="text-2xl font-semibold">{plural_camel}</h1>
    <%= link_to "New {singular}", new_{singular}_path, class: "rounded-md bg-emerald-600 px-3 py-2 text-white" %>
  </div>
  <%= turbo_stream_from current_user, :{plural} %>
  <ul id="{plural}" class="mt-6 divide-y divide-gray-200">
    <% @{plural}.each do |{singular}| %>
      <%= render partial: "{plural}/{singular}", locals: {{ {singular}: {singular} }} %>
    <% end %>
  </ul>
  <% if @{plural}.empty? %>
    <p class="mt-6 text-gray-500">Nothing here yet.</p>
  <% end %>
</div>
'''

PARTIAL_VIEW = '''\
<li id="<%= dom_id({singular}) %>" class="flex items-start gap-3 py-4">
  <div class="min-w-0 flex-1">
    <%= link_to {singular}.title, {singular}, class: "font-medium text-gray-900 hover:underline" %>
    <p class="mt-1 line-clamp-2 text-sm text-gray-600"><%= {singular}.body %></p>
  </div>
  <span class="shrink-0 text-xs text-gray-400"><%= time_ago_in_words({singular}.created_at) %> ago</span>
</li>
'''

SHOW_VIEW = '''\
<div class="mx-auto max-w-3xl px-4 py-8" data-controller="{dashed}-scroll">
  <h1 class="text-2xl font-semibold"><%= @{singular}.title %></h1>
  <div class="prose mt-4"><%= simple_format(@{singular}.body) %></div>
  <%= turbo_stream_from @{singular} %>
  <div id="replies" data-{dashed}-scroll-target="list" class="mt-8 space-y-4">
    <% @replies.each do |reply| %>
      <div id="<%= dom_id(reply) %>" class="rounded-lg bg-gray-50 p-4"><%= reply.body %></div>
    <% end %>
  </div>
  <%= form_with url: summarize_{singular}_path(@{singular}), method: :post, data: {{ turbo_frame: "summary" }} do |f| %>
    <%= f.submit "Summarize", class: "mt-6 rounded-md border px-3 py-2", data: {{ disable_with: "Thinking..." }} %>
  <% end %>
  <turbo-frame id="summary"><%= @summary %></turbo-frame>
</div>
'''

FORM_VIEW = '''\
<%= form_with model: {singular}, class: "space-y-4" do |form| %>
  <% if {singular}.errors.any? %>
    <div class="rounded-md bg-red-50 p-4 text-red-700">
      <% {singular}.errors.full_messages.each do |message| %>
        <p><%= message %></p>
      <% end %>
    </div>
  <% end %>
  <%= form.label :title %>
  <%= form.text_field :title, class: "block w-full rounded-md border-gray-300" %>
  <%= form.label :body %>
  <%= form.text_area :body, rows: 6, class: "block w-full rounded-md border-gray-300" %>
  <%= form.submit class: "rounded-md bg-emerald-600 px-3 py-2 text-white" %>
<% end %>
'''

STIMULUS = '''\
import {{ Controller }} from "@hotwired/stimulus"

// Keeps the {singular} replies scrolled to the newest one as Turbo appends them.
export default class extends Controller {{
  static targets = ["list"]
  static values = {{ smooth: {{ type: Boolean, default: true }} }}

  connect() {{
    this.observer = new MutationObserver(() => this.scroll())
    this.observer.observe(this.listTarget, {{ childList: true, subtree: true }})
    this.scroll()
  }}

  disconnect() {{
    this.observer?.disconnect()
  }}

  scroll() {{
    const behavior = this.smoothValue ? "smooth" : "auto"
    this.listTarget.lastElementChild?.scrollIntoView({{ behavior, block: "end" }})
  }}
}}
'''

CONTROLLER_TEST = '''\
require "test_helper"

class {plural_camel}ControllerTest < ActionDispatch::IntegrationTest
  setup do
    @{singular} = {camel}.create!(title: "First", body: "Hello there")
  end

  test "lists {plural}" do
    get {plural}_url
    assert_response :success
    assert_select "li", minimum: 1
  end

  test "creates a {singular} and enqueues the reply" do
    assert_enqueued_with(job: {camel}ReplyJob) do
      post {plural}_url, params: {{ {singular}: {{ title: "New", body: "Question?" }} }}
    end
    assert_redirected_to {camel}.order(:id).last
  end

  test "rejects a blank title" do
    post {plural}_url, params: {{ {singular}: {{ title: "", body: "x" }} }}
    assert_response :unprocessable_entity
  end
end
'''

SERVICE_TEST = '''\
require "test_helper"

class {camel}SummarizerTest < ActiveSupport::TestCase
  FakeResponse = Struct.new(:content, :input_tokens, :output_tokens)

  class FakeChat
    def with_instructions(*) = self
    def with_temperature(*) = self
    def add_message(**) = self
    def ask(_text) = FakeResponse.new("Short summary.", 10, 5)
  end

  class FakeClient
    def chat(**) = FakeChat.new
  end

  test "returns the model's summary and stores the token counts" do
    {singular} = {camel}.create!(title: "T", body: "B")
    {singular}.replies.create!(body: "Hi")
    summary = {camel}Summarizer.new({singular}, client: FakeClient.new).call
    assert_equal "Short summary.", summary
    assert_equal 15, {singular}.reload.token_total
  end

  test "answers a dash for an empty conversation" do
    {singular} = {camel}.create!(title: "T", body: "B")
    assert_equal "-", {camel}Summarizer.new({singular}, client: FakeClient.new).call
  end
end
'''

TEMPLATES = {
    "app/controllers/{plural}_controller.rb": CONTROLLER,
    "app/services/{singular}_summarizer.rb": SERVICE,
    "app/models/{singular}.rb": MODEL,
    "app/jobs/{singular}_reply_job.rb": JOB,
    "app/views/{plural}/index.html.erb": INDEX_VIEW,
    "app/views/{plural}/_{singular}.html.erb": PARTIAL_VIEW,
    "app/views/{plural}/show.html.erb": SHOW_VIEW,
    "app/views/{plural}/_form.html.erb": FORM_VIEW,
    "app/javascript/controllers/{singular}_scroll_controller.js": STIMULUS,
    "test/controllers/{plural}_controller_test.rb": CONTROLLER_TEST,
    "test/services/{singular}_summarizer_test.rb": SERVICE_TEST,
}


def _names(i: int) -> dict[str, str]:
    singular = f"topic{i}"
    return {"singular": singular, "plural": f"{singular}s", "camel": f"Topic{i}",
            "plural_camel": f"Topic{i}s", "dashed": singular}


def _code_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*")
               if p.is_file() and p.suffix in (".rb", ".erb", ".js"))


def resource_bytes() -> int:
    names = _names(1)
    return sum(len(t.format(**names).encode()) for t in TEMPLATES.values())


def generate(dest: Path, factor: float, base: Path = EXAMPLE) -> Path:
    """Write an app about ``factor`` times the example's code size to ``dest`` (replaced)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(base, dest, symlinks=True)
    wanted = max(0.0, factor - 1.0) * _code_bytes(base)
    count = round(wanted / resource_bytes())
    routes = []
    for i in range(1, count + 1):
        names = _names(i)
        for path, template in TEMPLATES.items():
            target = dest / path.format(**names)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template.format(**names), encoding="utf-8")
        routes.append(f"  resources :{names['plural']} do\n"
                      f"    member {{ post :summarize }}\n  end\n")
    routes_rb = dest / "config" / "routes.rb"
    if routes and routes_rb.exists():
        # Insert the new resources before the final ``end`` of the routes block.
        text = routes_rb.read_text(encoding="utf-8").rstrip()
        head, _, _ = text.rpartition("end")
        routes_rb.write_text(head + "".join(routes) + "end\n", encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--factor", type=float, default=10.0)
    args = parser.parse_args()
    out = generate(args.dest, args.factor)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"{out}: {files} files, {_code_bytes(out)} bytes of Ruby/ERB/JS")


if __name__ == "__main__":
    main()
