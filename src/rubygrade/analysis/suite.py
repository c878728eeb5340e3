"""The app's test suite as the test-quality rules see it, computed once per run.

- which files are tests (Minitest ``test/**/*_test.rb``, RSpec ``spec/**/*_spec.rb``,
  plus their support files);
- what the tests reach: the call graph from every method of a test file, plus
  edges the graph cannot see: an HTTP request in an integration test reaches the
  controller actions of its verb (``post`` -> ``create`` and custom actions), a
  system test that clicks reaches every action, ``described_class``/the class a
  test is named after resolves calls by name, ``X.perform_later`` reaches
  ``X#perform``;
- the test doubles and error-path signals found in test files.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rubygrade import treeutil
from rubygrade.index.model import CallSite, ClassDef, MethodDef

if TYPE_CHECKING:
    from rubygrade.callgraph import CallGraph
    from rubygrade.index import Index
    from rubygrade.project import Project

TEST_DIRS = ("test/", "spec/")
_VERB_ACTIONS = {"get": {"index", "show", "new", "edit"}, "post": {"create"},
                 "patch": {"update"}, "put": {"update"}, "delete": {"destroy"}}
_CRUD = {"index", "show", "new", "edit", "create", "update", "destroy"}
_SYSTEM_DRIVERS = {"click_on", "click_button", "click_link", "fill_in", "send_keys", "click"}
DOUBLE_METHODS = {"stubs", "expects", "any_instance", "stub", "stub_any_instance", "mock",
                  "stub_everything", "allow", "receive", "instance_double", "class_double",
                  "object_double", "double", "spy", "instance_spy", "stub_request",
                  "use_cassette", "stub_const", "receive_messages", "allow_any_instance_of",
                  "expect_any_instance_of", "define_singleton_method", "insert_cassette"}
FAKE_NAME = re.compile(r"(Fake|Stub|Mock|Dummy|Double|Spy|Null)")
_ERROR_CALLS = {"raises", "and_raise", "to_raise", "to_timeout", "raise_error"}
_ENV_KEY = re.compile(r"ENV(?:\.delete\(\s*|\[\s*)[\"'][A-Z_]*(?:API_KEY|TOKEN)[\"']\s*"
                      r"(?:\)|\]\s*=\s*(?:nil|\"\"|'')|\]\s*=>\s*nil)|"
                      r"[\"'][A-Z_]*API_KEY[\"']\s*(?:=>|:)\s*nil|ClimateControl")
_STATUS = re.compile(r"status:\s*(?:[45]\d\d|\[\s*[45]\d\d)")


@dataclass
class TestSuite:

    files: list[str] = field(default_factory=list)  # repo-relative test files
    tests: list[MethodDef] = field(default_factory=list)  # test blocks and test_* methods
    reached: set[str] = field(default_factory=set)  # call-graph keys the tests reach
    direct: set[str] = field(default_factory=set)  # keys a test file calls itself
    requests: list[CallSite] = field(default_factory=list)  # HTTP requests / visits
    doubles: list[tuple[str, int, str]] = field(default_factory=list)  # path, line, what
    error_paths: list[tuple[str, int, str]] = field(default_factory=list)
    fakes: list[str] = field(default_factory=list)  # names of fake classes in test files

    def is_test_path(self, path: str) -> bool:
        return path in self._paths

    @property
    def _paths(self) -> set[str]:
        return set(self.files)


@dataclass(frozen=True)
class _App:
    project: Project
    index: Index


def anchor_file(project: Project, suite: TestSuite) -> str:
    """Where a suite-wide finding points: the test helper, else the first test, else Gemfile."""
    for rel in ("test/test_helper.rb", "spec/rails_helper.rb", "spec/spec_helper.rb"):
        if project.exists(rel):
            return project.app_path(rel)
    return suite.files[0] if suite.files else project.app_path("Gemfile")


def build_suite(project: Project, index: Index) -> TestSuite:
    """The suite: test files, what they reach, their doubles and error-path signals."""
    return _build(_App(project, index))


def _build(app: _App) -> TestSuite:
    suite = TestSuite()
    suite.files = sorted(s.path for s in app.project.app_files("ruby")
                         if (app.project.app_relative(s.path) or "").startswith(TEST_DIRS))
    in_tests = set(suite.files)
    test_methods = [m for m in app.index.methods if m.path in in_tests]
    suite.tests = [m for m in test_methods if m.kind == "test" or
                   (m.kind == "def" and m.name.startswith("test_"))]
    suite.fakes = sorted({c.name for path in suite.files for c in _classes_in(app, path)
                          if FAKE_NAME.search(c.short_name)})
    graph = app.index.call_graph
    extra = _extra_edges(app, in_tests)
    starts = sorted({m.key for m in test_methods})
    for m in test_methods:
        suite.direct |= set(graph.callees(m.key)) | extra.get(m.key, set())
    suite.reached = _reach(graph, starts, extra)
    _signals(app, in_tests, suite)
    suite.requests = [c for c in app.index.calls if c.path in in_tests and c.receiver is None
                      and c.method in (*_VERB_ACTIONS, "visit")]
    return suite


def _classes_in(app: _App, path: str) -> list[ClassDef]:
    return [c for c in app.index.classes if c.path == path]


def _reach(graph: CallGraph, starts: list[str], extra: dict[str, set[str]]) -> set[str]:
    g = graph.graph
    seen = set(starts)
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        nexts = set(g.successors(node)) if node in g else set()
        for target in sorted(nexts | extra.get(node, set())):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _controller_actions(app: _App) -> dict[str, list[MethodDef]]:
    paths = {s.path for s in app.project.app_files("ruby", "app/controllers/")}
    out: dict[str, list[MethodDef]] = {}
    for method in app.index.methods:
        if method.path in paths and method.kind == "def" and not method.singleton \
                and method.visibility == "public" and method.owner.endswith("Controller"):
            out.setdefault(method.owner, []).append(method)
    return out


_ROUTE_VERB = re.compile(r"^\s*(get|post|patch|put|delete|match)\b(.*)$")
_ROUTE_NAMES = re.compile(r"#(\w+)|:(\w+)|[\"'/](\w+)[\"']")


def _route_verbs(app: _App) -> dict[str, set[str]]:
    """Action name -> HTTP verbs its custom routes use (``post "x", to: "chats#message"``)."""
    routes = app.project.get("config/routes.rb")
    out: dict[str, set[str]] = {}
    for line in routes.lines if routes is not None else ():
        match = _ROUTE_VERB.match(line)
        if match is None or match.group(1) == "match":
            continue
        for names in _ROUTE_NAMES.findall(match.group(2)):
            for name in names:
                if name and name not in ("to", "as", "on", "via", "only", "except"):
                    out.setdefault(name, set()).add(match.group(1))
    return out


def _root_controller(app: _App) -> str | None:
    routes = app.project.get("config/routes.rb")
    match = re.search(r"^\s*root\s*\(?\s*(?:to:\s*)?[\"'](\w+(?:/\w+)*)#", routes.text,
                      re.MULTILINE) if routes is not None else None
    return match.group(1) if match else None


def _requested_controllers(app: _App, call: CallSite, owners: list[str],
                           root: str | None) -> list[str]:
    """The controllers a request's path names (``messages_path`` -> MessagesController)."""
    if not call.args:
        return owners
    text = treeutil.text(call.args[0].node)
    helper = re.match(r"(\w+?)_(?:url|path)\b", text)
    if helper:
        base = helper.group(1)
        if base == "root":
            words = [root.rsplit("/", 1)[-1]] if root else []
        else:
            words = re.sub(r"^(new|edit)_", "", base).split("_")
    else:
        literal = treeutil.string_value(call.args[0].node) or ""
        words = [w for w in re.split(r"[/?#]", literal.split("?")[0])
                 if re.fullmatch(r"[a-z_]+", w) and w not in ("new", "edit")][-1:]
    literal_path = text.startswith(("'/", '"/'))
    if not words:
        return [] if literal_path else owners
    snake = {o: re.sub(r"(?<!^)(?=[A-Z])", "_", o.rsplit("::", 1)[-1].removesuffix("Controller"))
             .lower() for o in owners}
    for size in range(len(words), 0, -1):  # longest suffix first: chat_messages, messages
        tail = "_".join(words[-size:])
        found = [o for o, s in snake.items() if s in (tail, tail + "s", tail + "es")
                 or tail in (s + "s", s)]
        if found:
            return sorted(found)
    return [] if helper or literal_path else owners  # a path naming none of our controllers


def _subject_class(app: _App, method: MethodDef, described: dict[str, str]) -> str | None:
    """The app class a test is about: RSpec ``describe X`` or ``XTest``/``XSpec`` naming."""
    if method.path in described:
        return described[method.path]
    for owner in (method.owner, method.owner.rsplit("::", 1)[-1]):
        for suffix in ("Test", "Spec"):
            if owner.endswith(suffix) and app.index.class_defs(owner[: -len(suffix)]):
                return owner[: -len(suffix)]
    return None


def _extra_edges(app: _App, in_tests: set[str]) -> dict[str, set[str]]:
    """Edges the name-based call graph cannot draw (requests, described_class, jobs)."""
    extra: dict[str, set[str]] = {}
    actions = _controller_actions(app)
    verbs = _route_verbs(app)
    root = _root_controller(app)
    described: dict[str, str] = {}
    for call in app.index.calls_named("describe", "context"):
        if call.path in in_tests and call.path not in described and call.args:
            const = treeutil.constant_name(call.args[0].node)
            if const and app.index.class_defs(const):
                described[call.path] = const
    clicks = {c.path for c in app.index.calls_named(*_SYSTEM_DRIVERS) if c.path in in_tests}
    for call in app.index.calls:
        method = call.enclosing_method
        if method is None:
            continue
        targets: set[str] = set()
        if call.method in ("perform_later", "perform_now", "perform_async", "perform_sync") \
                and call.receiver_constant:
            job = app.index.resolve_constant(call.receiver_constant, call.enclosing_class)
            targets.add(f"{job}#perform")
        if call.path in in_tests:
            targets |= _test_targets(app, call, method, actions, described, clicks, verbs,
                                     root)
        if targets:
            extra.setdefault(method.key, set()).update(targets)
    return extra


def _test_targets(app: _App, call: CallSite, method: MethodDef,
                  actions: dict[str, list[MethodDef]], described: dict[str, str],
                  clicks: set[str], verbs: dict[str, set[str]],
                  root: str | None) -> set[str]:
    out: set[str] = set()
    subject = _subject_class(app, method, described)
    if call.receiver is None and (call.method in _VERB_ACTIONS or call.method == "visit"):
        owners = [subject] if subject in actions else \
            _requested_controllers(app, call, sorted(actions), root)
        for owner in owners:
            for action in actions.get(owner, []):
                verb = "get" if call.method == "visit" else call.method
                # ``get "user_profiles/create"`` routes a GET to a CRUD name too
                routed = verb in verbs.get(action.name, set())
                custom = action.name not in _CRUD and action.name not in verbs
                if (call.method == "visit" and call.path in clicks) or custom or routed or \
                        action.name in _VERB_ACTIONS[verb]:
                    out.add(action.key)
    elif subject is not None and call.receiver is not None and \
            call.receiver_constant is None:
        for m in app.index.methods_of(subject):
            if m.name == call.method and m.kind in ("def", "attr"):
                out.add(m.key)
        if call.method == "new" and treeutil.text(call.receiver) == "described_class":
            out.add(f"{subject}#initialize")
    return {t for t in out if t in app.index.call_graph.methods}


def _signals(app: _App, in_tests: set[str], suite: TestSuite) -> None:
    for call in app.index.calls:
        if call.path not in in_tests:
            continue
        where = (call.path, call.line)
        if call.method in DOUBLE_METHODS and not (call.method == "double" and call.args == ()
                                                  and call.receiver is not None):
            suite.doubles.append((*where, call.method))
        elif call.method == "new" and call.receiver_constant in ("Minitest::Mock", "Mock"):
            suite.doubles.append((*where, "Minitest::Mock"))
        # A raise in a test, a stub block or a fake's method simulates a failure; one at the
        # top of test_helper (a guard) does not.
        if call.method in _ERROR_CALLS or (call.method in ("raise", "fail") and
                                           call.receiver is None and call.args and
                                           call.enclosing_method is not None):
            suite.error_paths.append((*where, call.method))
        elif call.method == "to_return" and _STATUS.search(treeutil.text(call.node)):
            suite.error_paths.append((*where, "HTTP error status"))
    for path in sorted(in_tests):
        for cls in _classes_in(app, path):
            if FAKE_NAME.search(cls.short_name):
                suite.doubles.append((path, cls.line, f"fake class {cls.short_name}"))
        for number, line in enumerate(app.project.files[path].lines, start=1):
            if _ENV_KEY.search(line):
                suite.error_paths.append((path, number, "missing API key"))
            if re.search(r"\b(Fake|Stub|Mock)\w*\s*=\s*Struct\.new", line):
                suite.doubles.append((path, number, "fake Struct"))
    suite.doubles.sort()
    suite.error_paths.sort()
