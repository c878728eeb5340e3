"""RG802: CSRF protection switched off for the HTML app."""

from __future__ import annotations

import re

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Confidence, Dimension, Severity

_SETTING = re.compile(r"^\s*(?:Rails\.application\.)?config\.action_controller\."
                      r"(?P<name>allow_forgery_protection|default_protect_from_forgery)"
                      r"\s*=\s*(?P<value>true|false)\b")
#: Environments where a switched-off protection never reaches users.
_LOCAL_ENVIRONMENTS = ("config/environments/test.rb", "config/environments/development.rb")


def _names(controllers: list[str], limit: int = 3) -> str:
    shown = ", ".join(controllers[:limit])
    return shown + (f" and {len(controllers) - limit} more" if len(controllers) > limit else "")


class CsrfDisabledGlobally(Rule):
    """CSRF protection off for the HTML app: in a base controller, a page controller or the configuration.

    ## What it does
    Finds `skip_forgery_protection` and `skip_before_action
    :verify_authenticity_token` without `only:`, `except:`, `if:` or
    `unless:`, and reports them by what they expose:

    - in `ApplicationController`, or in a base class that controllers
      serving HTML pages or using the session inherit: every one of them
      accepts forged requests (high confidence);
    - in a leaf controller that serves HTML pages (templates, redirects):
      its forms accept forged requests (medium confidence);
    - in a leaf controller that answers JSON but authenticates through the
      session: an info finding, not scored.

    A skip is correct practice, and not reported, in a webhook, an OAuth or
    other callback, a tracking pixel or a one-click unsubscribe (by the
    controller's name), a controller routed only in development or test, a
    controller whose `before_action` checks a credential a forged request
    cannot carry (an `Authorization` or token header, or a token param compared
    with `ENV` or credentials: a scheduler's or a push service's endpoint), an
    Active Storage or other framework controller, and a JSON endpoint that
    neither serves pages nor reads the session. `protect_from_forgery with:
    :null_session` is a protection strategy, not a skip.

    In the configuration, `config.action_controller.allow_forgery_protection
    = false` in `config/application.rb` (unless production turns it back on)
    or a production environment file, and `default_protect_from_forgery =
    false` when no base controller calls `protect_from_forgery`. The test
    and development environments are the developer's machine, never a
    finding.

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
        self._skips(ctx)
        self._settings(ctx)

    def _skips(self, ctx: Context) -> None:
        fix = ("Keep protect_from_forgery on; skip it only for the webhook or API action "
               "that cannot send the token (only: [...]).")
        for skip in ctx.analyses.forgery.skips:
            html = [c.name for c in skip.html]
            session = [c.name for c in skip.session]
            if skip.base and (html or session):
                exposed = (f"{len(html)} serve HTML pages: {_names(html)}" if html else
                           f"{len(session)} authenticate through the session: {_names(session)}")
                ctx.report_node(skip.call.path, skip.call.node,
                                f"`{skip.what}` in {skip.cls} turns CSRF protection off for "
                                f"every controller that inherits it ({exposed}).",
                                fix=fix, confidence=Confidence.HIGH)
            elif not skip.base and html:
                also = " and authenticates through the session" if session else ""
                ctx.report_node(skip.call.path, skip.call.node,
                                f"`{skip.what}` turns CSRF protection off for every action of "
                                f"{skip.cls}, which serves HTML pages{also}: its forms accept "
                                "requests forged by another site.",
                                fix=fix, confidence=Confidence.MEDIUM)
            elif not skip.base and session:
                ctx.report_node(skip.call.path, skip.call.node,
                                f"`{skip.what}` turns CSRF protection off for {skip.cls}, which "
                                "answers JSON but reads or writes the session: it accepts "
                                "requests from other sites without the token check that "
                                "guards the rest of the app.",
                                fix="Authenticate the API with a token, or keep the CSRF check "
                                    "and send the X-CSRF-Token header.",
                                severity=Severity.INFO, confidence=Confidence.LOW,
                                data={"shape": "api_session"})

    def _settings(self, ctx: Context) -> None:
        project = ctx.project
        forgery = ctx.analyses.forgery
        production = project.get("config/environments/production.rb")
        re_enabled = production is not None and any(
            (m := _SETTING.match(line)) and m["name"] == "allow_forgery_protection" and
            m["value"] == "true" for line in production.lines)
        files = ["config/application.rb"] + sorted(
            rel for source in project.app_files("ruby", "config/")
            if (rel := project.app_relative(source.path) or "").startswith(
                ("config/environments/", "config/initializers/")) and
            rel not in _LOCAL_ENVIRONMENTS)
        bases = [name for name, defs in sorted(forgery.controller_classes.items())
                 if any((d.superclass or "").removeprefix("::") == "ActionController::Base"
                        for d in defs)]
        unprotected = [name for name in bases if not forgery.protects(name)]
        for rel in dict.fromkeys(files):
            source = project.get(rel)
            if source is None:
                continue
            for number, line in enumerate(source.lines, start=1):
                match = _SETTING.match(line)
                if match is None or match["value"] != "false":
                    continue
                if match["name"] == "allow_forgery_protection":
                    if rel == "config/application.rb" and re_enabled:
                        continue
                    ctx.report(source.path, number,
                               "Forgery protection is switched off in the app configuration: "
                               "no controller checks the CSRF token.",
                               fix="Remove the setting: Rails protects forms by default.")
                elif unprotected:
                    ctx.report(source.path, number,
                               "`default_protect_from_forgery = false` leaves "
                               f"{_names(unprotected)} without CSRF protection: none calls "
                               "protect_from_forgery.",
                               fix="Remove the setting, or call protect_from_forgery "
                                   "with: :exception in ApplicationController.")
