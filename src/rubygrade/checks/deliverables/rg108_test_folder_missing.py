"""RG108: no test folder with tests."""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity

TEST_SUFFIXES = ("_test.rb", "_spec.rb")


def test_files(ctx: Context) -> list[str]:
    """Repo-relative paths of the app's test files (Minitest ``*_test.rb``, RSpec ``*_spec.rb``)."""
    out = []
    for source in ctx.project.app_files("ruby"):
        rel = ctx.project.app_relative(source.path) or ""
        if rel.startswith(("test/", "spec/")) and rel.endswith(TEST_SUFFIXES):
            out.append(source.path)
    return sorted(out)


class TestFolderMissing(Rule):
    """The app has no `test/` or `spec/` folder holding a test file.

    ## What it does
    Looks for `*_test.rb` files under `test/` or `*_spec.rb` files under `spec/`
    that hold a test. Without a `test/` or `spec/` folder at all it reports "no
    test folder", which the rubric prices; a folder that is there but holds no
    test (only `test_helper.rb`, `.keep` files, generated stubs whose tests are
    commented out) is reported with the shape `empty`, and the test dimension
    scores what the missing tests cost.

    ## Why is this bad?
    The brief asks for tests of each component. Without a single test file
    nothing guards the chat against regressions.

    ## Example
    ```text test/ absent
    (no tests: test/ holds only test_helper.rb)
    ```
    ```ruby test/test_helper.rb
    require "rails/test_help"
    ```

    Use instead:
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "the chat page renders" do
        get root_path
        assert_response :success
      end
    end
    ```
    """

    id = "RG108"
    name = "test-folder-missing"
    dimension = Dimension.DELIVERABLES
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        if "tests" not in ctx.brief.required_artifacts:
            return
        files = test_files(ctx)
        in_tests = set(files)
        if files and any(m.path in in_tests and (m.kind == "test" or m.name.startswith("test_"))
                         for m in ctx.index.methods):
            return
        helper = next((p for p in ("test/test_helper.rb", "spec/spec_helper.rb",
                                   "spec/rails_helper.rb") if ctx.project.exists(p)), None)
        anchor = ctx.project.app_path(helper or "Gemfile")
        # The rubric prices "no test folder": a folder that is there but holds no test (the
        # generator's test_helper.rb) is reported, and the test dimension scores the rest.
        folder = any((ctx.project.app_relative(p) or "").startswith(("test/", "spec/"))
                     for p in ctx.project.files)
        what = f"{len(files)} test file(s), none with a test" if files else \
            f"only {helper}" if helper else "no test/**/*_test.rb or spec/**/*_spec.rb"
        ctx.report(anchor, 1, f"The app has no tests ({what}).",
                   fix="Add Minitest tests for the controller, the service and the views.",
                   data={"shape": "empty"} if files or folder else None)
