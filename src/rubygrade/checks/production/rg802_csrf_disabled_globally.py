"""RG802: CSRF protection switched off for every action."""

from __future__ import annotations

import re

from rubygrade import treeutil
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity

_CONFIG = re.compile(r"^\s*config\.action_controller\.(?:allow_forgery_protection|"
                     r"default_protect_from_forgery)\s*=\s*false")


class CsrfDisabledGlobally(Rule):
    """CSRF protection disabled for the whole app (or a whole base controller).

    ## What it does
    Finds `skip_forgery_protection` or `skip_before_action
    :verify_authenticity_token` without `only:`/`except:`, and
    `protect_from_forgery with: :null_session`, in a controller other
    controllers inherit from (`ApplicationController`), and
    `config.action_controller.allow_forgery_protection = false` outside the
    test environment. In a leaf controller the same call is reported with low
    confidence.

    ## Why is this bad?
    Any site the user visits can then post messages (and spend API credit) in
    their session. Turbo sends the CSRF token with every form: there is no
    need to turn it off.

    ## Example
    ```ruby app/controllers/application_controller.rb
    class ApplicationController < ActionController::Base
      skip_forgery_protection
    end
    ```

    Use instead:
    ```ruby app/controllers/application_controller.rb
    class ApplicationController < ActionController::Base
      protect_from_forgery with: :exception
    end
    ```
    """

    id = "RG802"
    name = "csrf-disabled-globally"
    dimension = Dimension.PRODUCTION
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        parents = {ctx.index.resolve_constant(c.superclass, c.name) for c in ctx.index.classes
                   if c.superclass}
        calls = [*ctx.index.calls_named("skip_forgery_protection", "skip_before_action",
                                        "protect_from_forgery")]
        for call in sorted(calls, key=lambda c: (c.path, c.line)):
            rel = ctx.project.app_relative(call.path) or ""
            if not ctx.project.is_app_code(call.path) or not rel.startswith("app/controllers/") or \
                    call.enclosing_method is not None:
                continue
            if call.keyword("only") is not None or call.keyword("except") is not None or \
                    call.keyword("if") is not None or call.keyword("unless") is not None:
                continue
            if call.method == "skip_before_action":
                names = [treeutil.string_value(a.value) for a in call.positional]
                if "verify_authenticity_token" not in names:
                    continue
                what = "skip_before_action :verify_authenticity_token"
            elif call.method == "protect_from_forgery":
                with_arg = call.keyword("with")
                if with_arg is None or treeutil.string_value(with_arg.value) != "null_session":
                    continue
                what = "protect_from_forgery with: :null_session"
            else:
                what = "skip_forgery_protection"
            cls = call.enclosing_class or ""
            base = cls in parents or cls.endswith("ApplicationController")
            scope = "every controller" if base else f"every action of {cls}"
            ctx.report_node(call.path, call.node,
                            f"`{what}` turns CSRF protection off for {scope}.",
                            fix="Keep protect_from_forgery on; skip it only for the one "
                                "webhook action with only: [...].",
                            confidence=Confidence.HIGH if base else Confidence.LOW)
        for rel in ("config/application.rb", "config/environments/production.rb",
                    "config/environments/development.rb"):
            source = ctx.project.get(rel)
            if source is None:
                continue
            for number, line in enumerate(source.lines, start=1):
                if _CONFIG.match(line):
                    ctx.report(source.path, number,
                               "Forgery protection is switched off in the app configuration.",
                               fix="Remove the setting: Rails protects forms by default.")
