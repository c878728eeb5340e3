"""RG301: no test reaches the code that calls the LLM."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class TestsMissLlmPath(Rule):
    """No test reaches, through the code under test, a method that calls the LLM.

    ## What it does
    Finds the app methods that hold an LLM call (RubyLLM or a bypass) and walks
    the call graph from every test (Minitest `test` blocks and `test_*` methods,
    RSpec examples, their `setup`/`before`/`let` blocks). HTTP requests in
    integration tests reach the controller actions of their verb, system tests
    that click reach every action, and `X.perform_later` reaches `X#perform`.
    When no test reaches any of those methods, the finding points at the LLM
    call nearest the user.

    ## Why is this bad?
    The LLM call is the part of a chat app that fails in production: wrong
    method names, missing keys, timeouts. Tests that only render the empty page
    or assert constants stay green while the core path is broken.

    ## Example
    ```ruby app/services/title_generator.rb
    class TitleGenerator
      MODEL = "anthropic/claude-sonnet-4.5"

      def title_for(text)
        RubyLLM.chat(model: MODEL).ask("A five-word title for: #{text}").content
      end
    end
    ```
    ```ruby test/services/title_generator_test.rb
    require "test_helper"

    class TitleGeneratorTest < ActiveSupport::TestCase
      test "the model name is set" do
        assert_equal "anthropic/claude-sonnet-4.5", TitleGenerator::MODEL
      end
    end
    ```

    Use instead:
    ```ruby test/services/title_generator_test.rb
    require "test_helper"

    class TitleGeneratorTest < ActiveSupport::TestCase
      FakeChat = Struct.new(:reply) do
        def ask(_text) = reply
      end

      test "the title is the model's answer" do
        reply = RubyLLM::Message.new(role: :assistant, content: "A chat about Paris")
        RubyLLM.stub(:chat, FakeChat.new(reply)) do
          assert_equal "A chat about Paris", TitleGenerator.new.title_for("Paris")
        end
      end
    end
    ```
    """

    id = "RG301"
    name = "tests-miss-llm-path"
    dimension = Dimension.TESTS
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        calls = [c for c in ctx.analyses.llm_calls if c.call.enclosing_method is not None
                 and not ctx.project.is_test(c.call.path)]
        if not calls:
            return  # no LLM call found: nothing to reach (RG2xx says why)
        suite = ctx.analyses.suite
        keys = {m.key for c in calls if (m := c.call.enclosing_method) is not None}
        if keys & suite.reached:
            return
        first = calls[0].call
        detail = f"{len(suite.tests)} tests" if suite.tests else "there are no tests"
        ctx.report(first.path, first.line, f"No test reaches this LLM call ({calls[0].api}) "
                   f"or any other ({detail}).",
                   fix="Add a controller or service test that drives a message through the "
                       "LLM call with RubyLLM stubbed.",
                   data={"llm_methods": ",".join(sorted(keys))})
