"""RG305: a kind of component (controllers, services, views) has no test."""

from __future__ import annotations

from rubygrade.analysis.suite import TestSuite, anchor_file
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.lazyregex import lazy_compile
from rubygrade.models import Dimension, Severity

_FOLDERS = {
    "controllers": ("test/controllers/", "test/integration/", "test/system/", "spec/requests/",
                    "spec/controllers/", "spec/system/", "spec/features/"),
    "services": ("test/services/", "spec/services/"),
    "views": ("test/views/", "test/system/", "spec/views/", "spec/system/", "spec/features/",
              "test/components/", "spec/components/"),
}
_VIEW_ASSERTIONS = lazy_compile(r"\b(assert_select|assert_dom|assert_selector|assert_text|"
                                r"assert_turbo_stream|have_css|have_selector|have_content|"
                                r"have_text|render_inline|rendered)\b")


class ComponentUntested(Rule):
    """A kind of component the app has (controllers, services, views) has no test.

    ## What it does
    For each kind the app has (controllers besides `ApplicationController`,
    classes under `app/services/`, view templates), looks for tests of it:
    controllers by a test file in `test/controllers|integration|system` (or the
    RSpec equivalents) or an HTTP request in a test; services by a test file in
    `test/services` or a test that calls a service method itself; views by a
    view or system test or a DOM assertion on the rendered HTML (`assert_select`,
    `assert_dom`, `have_css`; a substring of `response.body` is not a view test).
    One finding per kind without tests.

    ## Why is this bad?
    The brief asked for tests of each component. A kind with no test at all is
    where regressions land unnoticed.

    ## Example
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "the page loads" do
        get root_path
        assert_response :success
      end
    end
    ```

    Use instead:
    ```ruby test/controllers/chats_controller_test.rb
    require "test_helper"

    class ChatsControllerTest < ActionDispatch::IntegrationTest
      test "the page shows the composer" do
        get root_path
        assert_select "form[data-controller=composer]"
      end
    end
    ```
    """

    id = "RG305"
    name = "component-untested"
    dimension = Dimension.TESTS
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        suite = ctx.analyses.suite
        for kind, present in self._kinds(ctx).items():
            if present is None or self._tested(ctx, suite, kind):
                continue
            ctx.report(anchor_file(ctx.project, suite), 1,
                       f"The app's {kind} have no tests ({present}).",
                       fix=f"Add tests for the {kind}.", data={"kind": kind})

    def _kinds(self, ctx: Context) -> dict[str, str | None]:
        controllers = [s.path for s in ctx.project.app_files("ruby", "app/controllers/")
                       if not s.path.endswith("application_controller.rb")
                       and "/concerns/" not in s.path]
        services = [s.path for s in ctx.project.app_files("ruby", "app/services/")]
        views = [s.path for s in ctx.project.app_files(None, "app/views/")
                 if "/layouts/" not in s.path and "/pwa/" not in s.path
                 and not s.path.endswith(".keep")]
        return {"controllers": controllers[0] if controllers else None,
                "services": services[0] if services else None,
                "views": views[0] if views else None}

    def _tested(self, ctx: Context, suite: TestSuite, kind: str) -> bool:
        with_tests = {t.path for t in suite.tests}  # generator stubs hold no test
        rels = [ctx.project.app_relative(p) or p for p in suite.files if p in with_tests]
        if any(r.startswith(_FOLDERS[kind]) and r.endswith(("_test.rb", "_spec.rb"))
               for r in rels):
            return True
        if kind == "controllers":
            return bool(suite.requests)
        if kind == "services":
            owners = {ctx.analyses.call_graph.methods[k].path for k in suite.direct
                      if k in ctx.analyses.call_graph.methods}
            return any((ctx.project.app_relative(p) or "").startswith("app/services/")
                       for p in owners)
        return any(_VIEW_ASSERTIONS.search(ctx.project.files[p].text) for p in suite.files
                   if p.endswith(("_test.rb", "_spec.rb")))
