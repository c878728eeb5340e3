"""RG303: the tests use no test double at all."""

from __future__ import annotations

from rubygrade.analysis.suite import anchor_file
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoTestDoubles(Rule):
    """The test suite uses no test double: no stub, mock, fake class or HTTP stub.

    ## What it does
    Looks in `test/` and `spec/` for Mocha (`stubs`, `expects`, `any_instance`,
    `mock`), Minitest (`stub`, `Minitest::Mock`), RSpec (`allow`, `receive`,
    `double`, `instance_double`), WebMock (`stub_request`), VCR cassettes,
    `define_singleton_method`, and hand-written fakes (a `Fake*`/`Stub*`/`Mock*`
    class or Struct). None at all: one finding.

    ## Why is this bad?
    Without a double the tests either call the real model (slow, paid, flaky,
    impossible in CI without a key) or never go near it.

    ## Example
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "reply" do
        post chat_path, params: { content: "Hi" }  # calls OpenRouter for real
        assert_response :success
      end
    end
    ```

    Use instead:
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "reply" do
        RubyLLM.stub(:chat, FakeChat.new(reply: "Hello")) do
          post chat_path, params: { content: "Hi" }
        end
        assert_includes response.body, "Hello"
      end
    end
    ```
    """

    id = "RG303"
    name = "no-test-doubles"
    dimension = Dimension.TESTS
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        if ctx.analyses.suite.doubles:
            return
        suite = ctx.analyses.suite
        ctx.report(anchor_file(ctx.project, suite), 1,
                   "The tests use no test double (no stub, mock, fake or HTTP stub)."
                   if suite.tests else "There are no tests, so no test doubles.",
                   fix="Stub RubyLLM (Mocha, Minitest stub or a FakeChat with the real "
                       "method names) in the tests that send messages.")
