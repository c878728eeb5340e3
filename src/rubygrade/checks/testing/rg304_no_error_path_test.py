"""RG304: no test exercises a failure of the LLM or a missing key."""

from __future__ import annotations

from rubygrade.analysis.suite import anchor_file
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class NoErrorPathTest(Rule):
    """No test simulates an API failure or a missing API key.

    ## What it does
    Looks in the test files for a simulated failure: Mocha `raises`, RSpec
    `and_raise`, WebMock `to_raise`/`to_timeout`/`to_return(status: 5xx)`, a stub
    or fake that calls `raise`, or a test that removes the API key from `ENV`
    (`ENV.delete`, `ENV[...] = nil`, ClimateControl). None: one finding.

    ## Why is this bad?
    The error path is what users meet when OpenRouter is down or the key is
    wrong. Happy-path-only tests leave the rescue, the degraded message and the
    preflight untested; they are the first things to break.

    ## Example
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "reply" do
        RubyLLM.stubs(:chat).returns(FakeChat.new(reply: "Hi"))
        post chat_path, params: { content: "Hello" }
        assert_includes response.body, "Hi"
      end
    end
    ```

    Use instead:
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "reply" do
        RubyLLM.stubs(:chat).returns(FakeChat.new(reply: "Hi"))
        post chat_path, params: { content: "Hello" }
        assert_includes response.body, "Hi"
      end

      test "an API failure shows a friendly error" do
        RubyLLM.stubs(:chat).raises(RubyLLM::ServerError.new(nil, "down"))
        post chat_path, params: { content: "Hello" }
        assert_includes response.body, "try again"
      end
    end
    ```
    """

    id = "RG304"
    name = "no-error-path-test"
    dimension = Dimension.TESTS
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        if ctx.analyses.suite.error_paths:
            return
        suite = ctx.analyses.suite
        ctx.report(anchor_file(ctx.project, suite), 1,
                   "No test simulates an LLM failure or a missing API key."
                   if suite.tests else "There are no tests, so no error-path test.",
                   fix="Add a test whose stub raises RubyLLM::Error (and one without "
                       "the API key) and assert the degraded response.")
