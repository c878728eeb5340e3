"""Forgery protection: where the app turns CSRF verification off, and what that exposes.

A *skip* is ``skip_forgery_protection`` or ``skip_before_action
:verify_authenticity_token`` in a controller's class body with no ``only:``,
``except:``, ``if:`` or ``unless:``: every action of that controller, and of every
controller that inherits it, accepts a cross-site POST. ``protect_from_forgery with:
:null_session`` is a protection strategy (a forged request runs without the session),
not a skip.

What a skip exposes is told by the controllers it covers:

- ``html``: the controller serves pages (templates under ``app/views/<controller>/``
  for HTML or Turbo Streams, ``redirect_to``, ``format.html``, an action that renders
  its template implicitly);
- ``session``: it authenticates through the session (``session[...]``, ``cookies``,
  ``current_user``, ``sign_in``, ``authenticate_user!``, or a ``before_action`` of its
  own or of a base class or concern that it does not skip and that does so: an app
  method whose body reads the session, or a gem's sign-in filter such as
  ``authenticate_user!``; a filter that checks a token header is not the session);
- ``purpose``: what makes a skip correct practice there: a webhook, OAuth or other
  callback, a tracking pixel, a one-click unsubscribe (by the controller's name), a
  controller routed only in development or test (``if Rails.env.development?`` around
  its routes in ``config/routes.rb``), a controller with a ``before_action`` that
  checks a header credential (a cross-site form cannot set one) or compares a token
  param with a secret the server holds (``ENV``, credentials), a framework controller
  whose URLs are signed (Active Storage, Action Mailbox), or a JSON endpoint that
  neither serves pages nor reads the session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite, ClassDef, MethodDef
from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.index import Index
    from rubygrade.project import Project

#: Controller names whose purpose is to take requests from other sites or servers.
_PURPOSES = (
    (lazy_compile(r"web_?hooks?|(?:^|[_/])hooks?(?:[_/]|$)|inbound|incoming"), "a webhook"),
    (lazy_compile(r"(?:^|[_/])o_?auth|omniauth|(?:^|[_/])(?:sso|saml)(?:[_/]|$)|(?:^|[_/])callbacks?"
                  r"(?:[_/]|$)"), "an OAuth callback"),
    (lazy_compile(r"pixel|tracking|beacon"), "a tracking pixel"),
    (lazy_compile(r"unsubscribe|opt_?outs?|email_preferences"), "a one-click unsubscribe"),
)
#: Framework base controllers whose requests carry signed keys, not the session.
_FRAMEWORK_BASES = ("ActiveStorage::", "ActionMailbox::", "Rails::", "ActionCable::")
_SESSION_USE = lazy_compile(
    r"\bsession\s*\[|\bsession\.(?:delete|clear|to_h|fetch|key\?|\[\]=)|\breset_session\b|"
    r"\bcookies\b|\bcurrent_user\b|\buser_signed_in\?|\bsign_in\b|\bwarden\b|"
    r"\bauthenticate_\w+!|\bCurrent\.(?:session|user)\b|\bstart_new_session_for\b|"
    r"\bresume_session\b|\blog_in\b|\blogin\b")
_AUTH_FILTER = lazy_compile(r"authent|log(?:ged)?_?in|sign(?:ed)?_?in|require_(?:user|auth|session)"
                            r"|ensure_user|current_user")
#: A filter body that checks a credential sent in a header: a cross-site form cannot set one.
_REQUEST_HEADER = lazy_compile(r"\brequest\.(?:headers|authorization)\b|\bauthenticate_(?:or_request_)?"
                               r"with_http_(?:token|basic)\b")
#: ... or a secret sent as a param and compared with one the server holds.
_REQUEST_PARAM = lazy_compile(r"\bparams\s*\[|\bparams\.(?:fetch|dig)\b")
_SECRET_STORE = lazy_compile(r"\bENV\b|\bcredentials\b|\bsecrets\b|\bsecure_compare\b")
_JSON_ONLY = lazy_compile(r"\brender\s*\(?\s*(?:json|plain|body|xml|js):|\bhead\b|\bsend_data\b|"
                          r"\bsend_file\b|\bresponse_body\b|\bformat\.json\b")
_HTML = lazy_compile(r"\bredirect_to\b|\bredirect_back\b|\bformat\.html\b|\bformat\.turbo_stream\b"
                     r"|\brender\s*\(?\s*(?::[a-z_]+|\"|'|template:|partial:|turbo_stream:|"
                     r"html:|action:|inertia:)")
_DEV_ROUTES = lazy_compile(r"Rails\.env\.(?:development|test)\?|Rails\.env\s*==\s*[\"'](?:"
                           r"development|test)|Rails\.env\.local\?")


@dataclass(frozen=True)
class Controller:
    """What one controller serves and how it authenticates."""

    name: str
    path: str
    html: bool
    session: bool
    purpose: str | None


@dataclass(frozen=True)
class Skip:
    """One unscoped skip of CSRF verification and the controllers it covers."""

    call: CallSite
    what: str  # the call as the finding names it
    cls: str
    base: bool  # other app controllers inherit ``cls`` (or it is ApplicationController)
    covered: tuple[Controller, ...] = field(default=())

    @property
    def html(self) -> list[Controller]:
        return [c for c in self.covered if c.html and c.purpose is None]

    @property
    def session(self) -> list[Controller]:
        return [c for c in self.covered if c.session and c.purpose is None]


class Forgery:
    """The app's CSRF skips, for one run."""

    def __init__(self, project: Project, index: Index) -> None:
        self.project = project
        self.index = index
        self._controllers: dict[str, Controller] = {}

    @cached_property
    def controller_classes(self) -> dict[str, list[ClassDef]]:
        out: dict[str, list[ClassDef]] = {}
        for cls in self.index.classes:
            rel = self.project.app_relative(cls.path) or ""
            if cls.kind == "class" and rel.startswith("app/controllers/") and \
                    self.project.is_app_code(cls.path):
                out.setdefault(cls.name, []).append(cls)
        return out

    @cached_property
    def skips(self) -> list[Skip]:
        out: list[Skip] = []
        calls = self.index.calls_named("skip_forgery_protection", "skip_before_action")
        for call in sorted(calls, key=lambda c: (c.path, c.line)):
            cls = call.enclosing_class or ""
            if call.enclosing_method is not None or cls not in self.controller_classes:
                continue
            if any(call.keyword(k) is not None for k in ("only", "except", "if", "unless")):
                continue
            if call.method == "skip_before_action":
                filters = [treeutil.string_value(a.value) for a in call.positional]
                if "verify_authenticity_token" not in filters:
                    continue
                what = "skip_before_action :verify_authenticity_token"
            else:
                what = "skip_forgery_protection"
            names = self.descendants(cls)
            base = len(names) > 1 or cls.rsplit("::", 1)[-1] == "ApplicationController"
            if base and not self._actions(cls):
                names = names[1:]  # an abstract base serves nothing itself
            covered = tuple(self.controller(name) for name in names)
            out.append(Skip(call, what, cls, base, covered))
        return out

    def descendants(self, cls: str) -> list[str]:
        """``cls`` and the app controllers that inherit it, ``cls`` first."""
        found = [cls]
        for name in sorted(self.controller_classes):
            if name != cls and cls in self.index.ancestors(name)[1:]:
                found.append(name)
        return found

    def protects(self, cls: str) -> bool:
        """``cls`` or an app base class calls ``protect_from_forgery`` in its body."""
        chain = set(self.index.ancestors(cls))
        return any(c.enclosing_method is None and c.enclosing_class in chain
                   for c in self.index.calls_named("protect_from_forgery"))

    def controller(self, name: str) -> Controller:
        if name not in self._controllers:
            defs = self.controller_classes.get(name, [])
            path = defs[0].path if defs else ""
            self._controllers[name] = Controller(name, path, self._html(name),
                                                 self._session(name), self._purpose(name))
        return self._controllers[name]

    # -- what a controller serves ------------------------------------------------------
    def _actions(self, name: str) -> list[MethodDef]:
        return [m for m in self.index.methods_of(name, singleton=False)
                if m.kind == "def" and m.visibility == "public"]

    def _html(self, name: str) -> bool:
        if self._templates(name):
            return True
        for cls in self.controller_classes.get(name, []):
            if _HTML.search(treeutil.text(cls.node)):
                return True
        # an action that neither renders nor redirects renders its template
        return any(not _JSON_ONLY.search(treeutil.text(m.node)) for m in self._actions(name))

    def _templates(self, name: str) -> bool:
        folder = "app/views/" + treeutil.underscore(name.removesuffix("Controller")) + "/"
        for source in self.project.app_files(None, folder):
            rel = self.project.app_relative(source.path) or ""
            tail = rel[len(folder):]
            if "/" not in tail and (".html." in tail or ".turbo_stream." in tail):
                return True
        return False

    # -- how it authenticates -------------------------------------------------------------
    def _session(self, name: str) -> bool:
        for cls in self.controller_classes.get(name, []):
            if _SESSION_USE.search(treeutil.text(cls.node)):
                return True
        chain = self._chain(name)
        return any(self._session_filter(filt, chain) for filt, _ in self._before_filters(name))

    def _before_filters(self, name: str) -> Iterator[tuple[str, CallSite]]:
        """The ``before_action`` filters that run on every action of ``name`` (its own, its
        base classes', its concerns'; no ``only:``) and that it does not skip."""
        skipped = self._skipped_filters(name)
        for owner in self._chain(name):
            for call in self.index.calls_named("before_action", "prepend_before_action"):
                if call.enclosing_class != owner or call.enclosing_method is not None or \
                        call.keyword("only") is not None:
                    continue
                for arg in call.positional:
                    filt = treeutil.string_value(arg.value)
                    if filt and filt not in skipped:
                        yield filt, call

    def _filter_body(self, filt: str, chain: list[str]) -> str | None:
        """The text of the app method ``filt`` names, looked up along ``chain``."""
        for owner in chain:
            for method in self.index.methods_of(owner, singleton=False):
                if method.name == filt and method.kind == "def":
                    return treeutil.text(method.node)
        return None

    def _session_filter(self, filt: str, chain: list[str]) -> bool:
        """The filter reads the session: its body does (an app method), or it is a gem's
        sign-in check (``authenticate_user!``, ``require_login``)."""
        body = self._filter_body(filt, chain)
        return bool(_SESSION_USE.search(body)) if body is not None else \
            bool(_AUTH_FILTER.search(filt))

    def _requires_secret(self, name: str) -> bool:
        """An unconditional ``before_action`` checks a credential a forged cross-site
        request cannot carry: a header (``Authorization``, a token header), or a param
        compared with a secret the server holds (ENV, credentials)."""
        chain = self._chain(name)
        for filt, call in self._before_filters(name):
            body = self._filter_body(filt, chain) if call.keyword("if") is None else None
            if body is not None and (_REQUEST_HEADER.search(body) or (
                    _REQUEST_PARAM.search(body) and _SECRET_STORE.search(body))):
                return True
        return False

    def _chain(self, name: str) -> list[str]:
        """``name``, its app base classes and the modules they include."""
        out: list[str] = []
        for cls in self.index.ancestors(name):
            out.append(cls)
            for inc in self.index.includes_of(cls):
                out.append(self.index.resolve_constant(inc, cls))
        return out

    def _skipped_filters(self, name: str) -> set[str]:
        skipped: set[str] = set()
        for call in self.index.calls_named("skip_before_action", "allow_unauthenticated_access"):
            if call.enclosing_class != name or call.enclosing_method is not None:
                continue
            if call.method == "allow_unauthenticated_access":
                skipped.add("require_authentication")
            for arg in call.positional:
                filt = treeutil.string_value(arg.value)
                if filt:
                    skipped.add(filt)
        return skipped

    # -- why skipping is correct there -------------------------------------------------------
    def _purpose(self, name: str) -> str | None:
        snake = treeutil.underscore(name.removesuffix("Controller"))
        for pattern, purpose in _PURPOSES:
            if pattern.search(snake):
                return purpose
        ancestors = self.index.ancestors(name)
        if any(a.removeprefix("::").startswith(_FRAMEWORK_BASES) for a in ancestors) or \
                name.startswith(_FRAMEWORK_BASES):
            return "a framework controller whose URLs are signed"
        if self._routed_only_in_development(snake):
            return "a controller routed only in development or test"
        if self._requires_secret(name):
            return "a controller that checks a shared secret in every request"
        if not self._html(name) and not self._session(name):
            return "a JSON endpoint that neither serves pages nor reads the session"
        return None

    @cached_property
    def _routes(self) -> tuple[str, list[tuple[int, int]]]:
        source = self.project.get("config/routes.rb")
        if source is None or source.root is None:
            return "", []
        ranges = [(n.start_byte, n.end_byte) for n in treeutil.walk(source.root)
                  if n.type in ("if", "unless") and
                  _DEV_ROUTES.search(treeutil.text(n.child_by_field_name("condition")))]
        return source.text, ranges

    def _routed_only_in_development(self, snake: str) -> bool:
        text, ranges = self._routes
        if not ranges:
            return False
        last = re.escape(snake.rsplit("/", 1)[-1])
        mentions = [m.start() for m in re.finditer(
            rf"(?<![\w/]){last}(?=[#\"'\s,)]|$)|:{last}\b", text, re.M)]
        offsets = [len(text[:i].encode()) for i in mentions]  # tree-sitter counts bytes
        return bool(offsets) and all(any(a <= o < b for a, b in ranges) for o in offsets)
