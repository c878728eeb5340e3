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
from dataclasses import field
from typing import TYPE_CHECKING

from tree_sitter import Node

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
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
#: One of these is in every match of ``_ENV_KEY``.
_ENV_KEY_LITERALS = ("ENV", "API_KEY", "ClimateControl")
_FAKE_STRUCT = re.compile(r"\b(Fake|Stub|Mock)\w*\s*=\s*Struct\.new")


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
    graph: CallGraph
    memo: dict[object, object] = field(default_factory=dict, compare=False, hash=False)


def anchor_file(project: Project, suite: TestSuite) -> str:
    """Where a suite-wide finding points: the test helper, else the first test, else Gemfile."""
    for rel in ("test/test_helper.rb", "spec/rails_helper.rb", "spec/spec_helper.rb"):
        if project.exists(rel):
            return project.app_path(rel)
    return suite.files[0] if suite.files else project.app_path("Gemfile")


def build_suite(project: Project, index: Index, graph: CallGraph) -> TestSuite:
    """The suite: test files, what they reach, their doubles and error-path signals."""
    return _build(_App(project, index, graph))


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
    graph = app.graph
    # The calls of test files, in index order (which is by path), once for every use below.
    test_calls = [c for path in suite.files for c in app.index.calls_in(path)]
    extra, later = _extra_edges(app, in_tests, test_calls)
    digraph = graph.graph
    for m in test_methods:
        key = m.key
        if key in digraph:
            suite.direct.update(digraph.successors(key))
        suite.direct.update(extra.get(key, ()))
    suite.reached = _reach_per_test(app, test_methods, extra, later)
    _signals(app, in_tests, test_calls, suite)
    suite.requests = [c for c in test_calls if c.receiver is None
                      and c.method in (*_VERB_ACTIONS, "visit")]
    return suite


def _classes_in(app: _App, path: str) -> list[ClassDef]:
    return list(app.index.classes_in(path))  # one lookup, not a scan of every class


def _reach(graph: CallGraph, starts: list[str], extra: dict[str, set[str]],
           blocked: frozenset[str] = frozenset()) -> set[str]:
    # The result is a set of what is reachable: the order nodes are visited in cannot
    # change it, so successors are not merged and sorted per node.
    successors = graph.graph.adjacency
    seen = set(starts)
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        for nexts in (successors.get(node, ()), extra.get(node, ())):
            for target in nexts:
                if target not in seen and target not in blocked:
                    seen.add(target)
                    queue.append(target)
    return seen


def _reach_per_test(app: _App, methods: list[MethodDef], extra: dict[str, set[str]],
                    later: dict[str, set[str]]) -> set[str]:
    """What the tests reach, each test with what it stubs away and whether it runs jobs.

    A test reaches only what its own stubs leave in place: ``Thing.stub(:new, fake)`` (or
    ``Thing.any_instance.stubs(:call)``) means the code under test never runs Thing's own
    methods. A job enqueued with ``perform_later`` runs only in a test that performs the
    enqueued jobs (``perform_enqueued_jobs``), or with the inline adapter; a test that only
    asserts the job was enqueued does not reach it.
    """
    inline = _inline_jobs(app)
    by_file: dict[str, list[MethodDef]] = {}
    for m in methods:
        by_file.setdefault(m.path, []).append(m)
    # Tests that stub nothing and run no jobs share one search; the rest get their own.
    groups: dict[tuple[frozenset[str], bool], set[str]] = {}
    for file_methods in by_file.values():
        setups = [m for m in file_methods if m.kind == "block"]
        shared_blocked = _stubbed_keys(app, setups)
        shared_jobs = inline or _performs_jobs(app, setups)
        setup_keys = {s.key for s in setups}  # once per file, not once per test
        for m in file_methods:
            if m.kind == "block":
                continue
            blocked = frozenset(shared_blocked | _stubbed_keys(app, [m]))
            jobs = shared_jobs or _performs_jobs(app, [m])
            groups.setdefault((blocked, jobs), set()).update(({m.key} | setup_keys) - blocked)
    with_jobs = {k: extra.get(k, set()) | later.get(k, set()) for k in set(extra) | set(later)}
    reached: set[str] = set()
    for (blocked, jobs), starts in sorted(groups.items(), key=lambda g: sorted(g[1])):
        reached |= _reach(app.graph, sorted(starts), with_jobs if jobs else extra, blocked)
    return reached


_STUBS_SINGLETON = ("stub", "stubs", "expects")
#: The names of the calls :func:`_stub_target` reads a stub from.
_STUB_NAMES = frozenset((*_STUBS_SINGLETON, "receive"))
_PERFORMS = ("perform_enqueued_jobs", "perform_now", "perform_inline")


def _stubbed_keys(app: _App, methods: list[MethodDef]) -> set[str]:
    """App method keys the given test methods stub away."""
    out: set[str] = set()
    for method in methods:
        out |= _test_facts(app, method)[0]
    return out


def _test_facts(app: _App, method: MethodDef) -> tuple[frozenset[str], bool]:
    """(the app method keys ``method`` stubs away, whether it performs jobs): one pass over
    its calls, once per method (its file's tests ask again for each shared setup block)."""
    key = ("test facts", id(method))  # the method lives as long as the index (and app.memo)
    if key not in app.memo:
        out: set[str] = set()
        performs = False
        for call in app.index.calls_within(method):
            performs = performs or call.method in _PERFORMS
            if call.method not in _STUB_NAMES:
                continue  # no stub (the one test of _stub_target every other call fails)
            target = _stub_target(call)
            if target is None:
                continue
            const, name, instance = target
            cls = app.index.resolve_constant(const, call.enclosing_class)
            if not app.index.class_defs(cls):
                continue  # a stub of the gem (RubyLLM.chat): the app's code still runs
            if name == "new" and not instance:
                out |= {m.key for m in app.index.methods_of(cls, singleton=False)}
            else:
                out.add(f"{cls}{'#' if instance else '.'}{name}")
        app.memo[key] = (frozenset(out), performs)
    return app.memo[key]  # type: ignore[return-value]


def _stub_target(call: CallSite) -> tuple[str, str, bool] | None:
    """(class, method, stubs instances?) for ``X.stub(:m, ..)``, ``X.stubs(:m)``,
    ``X.any_instance.stubs(:m)``, ``allow(X).to receive(:m)``,
    ``allow_any_instance_of(X).to receive(:m)``."""
    if call.method in _STUBS_SINGLETON and call.positional:
        name = treeutil.string_value(call.positional[0].node)
        recv = call.receiver
        if not name or recv is None:
            return None
        if recv.type == "call" and treeutil.text(recv.child_by_field_name("method")) == \
                "any_instance":
            const = treeutil.constant_name(recv.child_by_field_name("receiver"))
            return (const, name, True) if const else None
        const = treeutil.constant_name(recv)
        return (const, name, False) if const else None
    if call.method == "receive" and call.positional:
        name = treeutil.string_value(call.positional[0].node)
        for anc in treeutil.ancestors(call.node):
            if anc.type != "call" or treeutil.text(anc.child_by_field_name("method")) not in (
                    "to", "not_to", "to_not"):
                continue
            subject = anc.child_by_field_name("receiver")
            if subject is None or subject.type != "call":
                return None
            who = treeutil.text(subject.child_by_field_name("method"))
            args = subject.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            const = treeutil.constant_name(first)
            if name and const and who in ("allow", "expect", "allow_any_instance_of",
                                          "expect_any_instance_of"):
                return const, name, who.endswith("any_instance_of")
            return None
    return None


def _performs_jobs(app: _App, methods: list[MethodDef]) -> bool:
    return any(_test_facts(app, m)[1] for m in methods)


def _inline_jobs(app: _App) -> bool:
    """The test environment runs jobs as they are enqueued (the inline adapter)."""
    for rel in ("config/environments/test.rb", "test/test_helper.rb", "spec/rails_helper.rb",
                "spec/spec_helper.rb"):
        source = app.project.get(rel)
        if source is not None and re.search(r"queue_adapter\s*=\s*:inline", source.text):
            return True
    return False


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
    key = ("subject", method.owner)  # the same for every call of a test class
    if key not in app.memo:
        app.memo[key] = _subject_by_name(app, method.owner)
    return app.memo[key]  # type: ignore[return-value]


def _subject_by_name(app: _App, test_owner: str) -> str | None:
    method_owner = test_owner
    for owner in (method_owner, method_owner.rsplit("::", 1)[-1]):
        for suffix in ("Test", "Spec"):
            if owner.endswith(suffix) and app.index.class_defs(owner[: -len(suffix)]):
                return owner[: -len(suffix)]
    return None


def _extra_edges(app: _App, in_tests: set[str], test_calls: list[CallSite]
                 ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Edges the name-based call graph cannot draw (requests, described_class, jobs run now),
    and the edges of jobs enqueued for later (``perform_later``), kept apart."""
    extra: dict[str, set[str]] = {}
    later: dict[str, set[str]] = {}
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
    # Jobs run or enqueued anywhere, then what test code calls. The two passes add to the
    # same per-method sets that one pass over every call did (unions: order is immaterial).
    for call in app.index.calls_named(*_ENQUEUE_LATER, *_PERFORM_NOW):
        method = call.enclosing_method
        if method is None or not call.receiver_constant:
            continue
        job = app.index.resolve_constant(call.receiver_constant, call.enclosing_class)
        if call.method in _ENQUEUE_LATER:
            later.setdefault(method.key, set()).add(f"{job}#perform")
        else:
            extra.setdefault(method.key, set()).add(f"{job}#perform")
    for call in test_calls:
        method = call.enclosing_method
        if method is None or (call.receiver is None and call.method not in _REQUESTS):
            continue  # ``assert_equal``, a helper: neither a request nor a call on the subject
        targets = _test_targets(app, call, method, actions, described, clicks, verbs, root)
        if targets:
            extra.setdefault(method.key, set()).update(targets)
    return extra, later


_ENQUEUE_LATER = ("perform_later", "perform_async", "set")
#: Receiver-less calls of a test that request a page.
_REQUESTS = frozenset((*_VERB_ACTIONS, "visit"))
_PERFORM_NOW = ("perform_now", "perform_sync", "perform_inline")


def _test_targets(app: _App, call: CallSite, method: MethodDef,
                  actions: dict[str, list[MethodDef]], described: dict[str, str],
                  clicks: set[str], verbs: dict[str, set[str]],
                  root: str | None) -> set[str]:
    """What a request (``post``, ``visit``) or a call on a receiver in a test reaches."""
    out: set[str] = set()
    subject = _subject_class(app, method, described)
    if call.receiver is None and call.method in _REQUESTS:
        owners = [subject] if subject in actions else \
            _requested_controllers(app, call, _sorted_controllers(app, actions), root)
        signed_in = _signs_in(app, method)
        clicked = call.method == "visit" and call.path in clicks
        # The actions depend on these alone: requests of a test file ask the same again.
        key = ("requested", tuple(owners), signed_in, call.method, clicked)
        if key not in app.memo:
            app.memo[key] = _requested_actions(app, owners, signed_in, call.method, clicked,
                                               actions, verbs)
        out |= app.memo[key]  # type: ignore[arg-type]
    elif subject is not None and call.receiver is not None:
        named = _subject_methods(app, subject, call.method)
        # the receiver is read only when the call could reach something
        if (named or call.method == "new") and call.receiver_constant is None:
            out.update(named)
            if call.method == "new" and treeutil.text(call.receiver) == "described_class":
                out.add(f"{subject}#initialize")
    if not out:
        return out
    return {t for t in out if t in app.graph.methods}


def _sorted_controllers(app: _App, actions: dict[str, list[MethodDef]]) -> list[str]:
    if "controllers" not in app.memo:
        app.memo["controllers"] = sorted(actions)
    return app.memo["controllers"]  # type: ignore[return-value]


def _requested_actions(app: _App, owners: list[str], signed_in: bool, request: str,
                       clicked: bool, actions: dict[str, list[MethodDef]],
                       verbs: dict[str, set[str]]) -> set[str]:
    """The action keys a request (``get``, ``post``, ..., ``visit``) of ``owners`` reaches."""
    out: set[str] = set()
    for owner in owners:
        for action in actions.get(owner, []):
            if not signed_in and _login_required(app, owner, action.name):
                continue  # the request is redirected to the login page
            verb = "get" if request == "visit" else request
            # ``get "user_profiles/create"`` routes a GET to a CRUD name too
            routed = verb in verbs.get(action.name, set())
            custom = action.name not in _CRUD and action.name not in verbs
            if clicked or custom or routed or action.name in _VERB_ACTIONS[verb]:
                out.add(action.key)
    return out


def _subject_methods(app: _App, subject: str, name: str) -> list[str]:
    """Keys of the subject class's own methods (and accessors) called ``name``, in index
    order (from a table of the class's methods by name, built once per class)."""
    key = ("subject methods", subject)
    if key not in app.memo:
        by_name: dict[str, list[str]] = {}
        for m in app.index.methods_of(subject):
            if m.kind in ("def", "attr"):
                by_name.setdefault(m.name, []).append(m.key)
        app.memo[key] = by_name
    return app.memo[key].get(name, [])  # type: ignore[attr-defined, no-any-return]


#: ``before_action`` filters that send an anonymous request to the login page.
_LOGIN_FILTERS = re.compile(r"^(?:authenticate_\w+!|authenticate!|require_(?:login|user|"
                            r"authentication|signed_in_user)!?|ensure_(?:logged_in|signed_in))$")
#: Test helpers that sign a user in (Devise, Warden, the Rails 8 authentication generator).
_SIGN_IN = {"sign_in", "login_as", "sign_in_as", "log_in_as", "log_in", "login", "sign_in_user",
            "authenticate", "login_user", "sign_in_as_user"}


_FILTER_MACROS = ("before_action", "skip_before_action", "prepend_before_action",
                  "allow_unauthenticated_access")


def _filters(app: _App) -> dict[str, list[CallSite]]:
    if "filters" not in app.memo:
        out: dict[str, list[CallSite]] = {}
        for call in app.index.calls_named(*_FILTER_MACROS):
            if call.enclosing_method is None and call.enclosing_class and call.receiver is None:
                out.setdefault(call.enclosing_class, []).append(call)
        app.memo["filters"] = out
    return app.memo["filters"]  # type: ignore[return-value]


def _login_required(app: _App, controller: str, action: str) -> bool:
    key = ("login", controller, action)
    if key not in app.memo:
        app.memo[key] = _login_required_uncached(app, controller, action)
    return bool(app.memo[key])


def _login_required_uncached(app: _App, controller: str, action: str) -> bool:
    """``before_action :authenticate_user!`` applies to ``controller#action`` (declared in
    the class, an ancestor or a concern, and not skipped for that action)."""
    required = False
    for call in _filters_applying(app, controller):
        if call.method == "allow_unauthenticated_access":
            if _applies(app, call, action):
                required = False
            continue
        if not _names_login_filter(app, call) or not _applies(app, call, action):
            continue
        required = call.method != "skip_before_action"
    return required


def _filters_applying(app: _App, controller: str) -> list[CallSite]:
    """The filter macros of the controller, its ancestors and their concerns, in the order
    they apply (the same for every action of the controller: built once per controller)."""
    key = ("filters of", controller)
    if key not in app.memo:
        owners: list[str] = []
        for anc in app.index.ancestors(controller):
            owners.append(anc)
            owners += [app.index.resolve_constant(i, anc) for i in app.index.includes_of(anc)]
        filters = _filters(app)
        app.memo[key] = [call for owner in reversed(owners) for call in filters.get(owner, ())]
    return app.memo[key]  # type: ignore[return-value]


def _names_login_filter(app: _App, call: CallSite) -> bool:
    """The filter macro names a login filter (``before_action :authenticate_user!``)."""
    key = ("login filter", id(call))  # the call lives as long as the index (and app.memo)
    if key not in app.memo:
        names = {treeutil.string_value(a.node) for a in call.positional}
        app.memo[key] = any(n and _LOGIN_FILTERS.match(n) for n in names)
    return bool(app.memo[key])


def _applies(app: _App, call: CallSite, action: str) -> bool:
    """``only:``/``except:`` of a filter macro, for ``action``."""
    scope = _filter_scope(app, call)
    if scope is None:
        return True
    inside, listed = scope
    return (action in listed) == inside


def _filter_scope(app: _App, call: CallSite) -> tuple[bool, set[str | None]] | None:
    """(``only:``?, the actions listed) of a filter macro, or None when it names neither:
    read once per macro, not once per action asked about."""
    key = ("filter scope", id(call))
    if key not in app.memo:
        scope = None
        for option_name, inside in (("only", True), ("except", False)):
            option = call.keyword(option_name)
            if option is not None:
                scope = (inside, {treeutil.string_value(n) for n in treeutil.walk(option.value)
                                  if n.type in ("simple_symbol", "string")})
                break
        app.memo[key] = scope
    return app.memo[key]  # type: ignore[return-value]


def _sign_in_files(app: _App) -> tuple[frozenset[str], bool]:
    """Test files with a sign-in call anywhere, and whether a support file signs in for all."""
    if "sign_in" not in app.memo:
        files = frozenset(c.path for c in app.index.calls_named(*_SIGN_IN)
                          if app.project.is_test(c.path))
        shared = any("support" in p or p.endswith(("test_helper.rb", "rails_helper.rb"))
                     for p in files)
        app.memo["sign_in"] = (files, shared)
    return app.memo["sign_in"]  # type: ignore[return-value]


def _signs_in(app: _App, method: MethodDef) -> bool:
    """The test's file (its tests, setup blocks, helpers) or a shared support file signs in."""
    files, shared = _sign_in_files(app)
    return shared or method.path in files


_CONDITIONS = ("if_modifier", "unless_modifier", "if", "unless", "conditional", "elsif")


def _raise_happens(app: _App, call: CallSite, test_calls: list[CallSite]) -> bool:
    """A raise that some test actually triggers. ``raise @error if @error`` in a fake only
    simulates a failure when a test gives the fake an error (``FakeChat.new(error: ...)``,
    ``fake.error = ...``, ``instance_variable_set(:@error, ...)``)."""
    condition = None
    for anc in treeutil.ancestors(call.node):
        if anc.type in _CONDITIONS:
            condition = anc.child_by_field_name("condition")
            break
        if anc.type in ("method", "singleton_method", "block", "do_block"):
            break
    if condition is None:
        return True
    names = {treeutil.text(n).lstrip("@") for n in treeutil.walk(condition)
             if n.type in ("instance_variable", "identifier")}
    names.discard("")
    if not names:
        return True  # a condition on something else (a counter, the input): judged unknown
    for other in test_calls:
        if other is call:
            continue
        for arg in other.args:
            if arg.kind == "keyword" and arg.name in names and arg.value.type not in (
                    "nil", "false"):
                return True
            if other.method == "new" and _an_error(arg.value):
                return True  # ``FakeChat.new(RubyLLM::ServerError.new)``
        if other.method.rstrip("=") in names and other.method.endswith("=") or (
                other.method in names and _assigned(other)):
            return True
        if other.method == "instance_variable_set" and other.positional and \
                (treeutil.string_value(other.positional[0].node) or "").lstrip("@") in names:
            return True
    return False


def _an_error(node: Node) -> bool:
    """An exception class or instance: ``Timeout::Error``, ``RubyLLM::Error.new(nil, "x")``."""
    if node.type == "call" and treeutil.text(node.child_by_field_name("method")) == "new":
        node = node.child_by_field_name("receiver") or node
    name = treeutil.constant_name(node) or ""
    return name.endswith(("Error", "Exception", "Timeout", "TimeoutError"))


def _assigned(call: CallSite) -> bool:
    """``fake.error = x`` (the index names the call ``error``; the parent is the write)."""
    parent = treeutil.parent_of(call.node)
    return parent is not None and parent.type == "assignment" and \
        parent.child_by_field_name("left") == call.node


#: The call names :func:`_signals` reads a double or an error path from.
_SIGNAL_NAMES = frozenset(DOUBLE_METHODS | _ERROR_CALLS | {"new", "raise", "fail", "to_return"})


def _names_mock(receiver: Node | None) -> bool:
    """``Minitest::Mock`` or ``Mock``: the text is read as bytes first, since a constant that
    is either ends in ``Mock`` (most receivers of ``new`` in a test do not)."""
    return receiver is not None and (receiver.text or b"").endswith(b"Mock") and \
        treeutil.constant_name(receiver) in ("Minitest::Mock", "Mock")


def _signals(app: _App, in_tests: set[str], test_calls: list[CallSite],
             suite: TestSuite) -> None:
    for call in test_calls:
        if call.method not in _SIGNAL_NAMES:
            continue  # the common case: no branch below applies
        where = (call.path, call.line)
        if call.method in DOUBLE_METHODS and not (call.method == "double" and call.args == ()
                                                  and call.receiver is not None):
            suite.doubles.append((*where, call.method))
        elif call.method == "new" and _names_mock(call.receiver):
            suite.doubles.append((*where, "Minitest::Mock"))
        # A raise in a test, a stub block or a fake's method simulates a failure; one at the
        # top of test_helper (a guard) does not.
        if call.method in _ERROR_CALLS:
            suite.error_paths.append((*where, call.method))
        elif call.method in ("raise", "fail") and call.receiver is None and call.args and \
                call.enclosing_method is not None and _raise_happens(app, call, test_calls):
            suite.error_paths.append((*where, call.method))
        elif call.method == "to_return" and _STATUS.search(treeutil.text(call.node)):
            suite.error_paths.append((*where, "HTTP error status"))
    for path in sorted(in_tests):
        for cls in _classes_in(app, path):
            if FAKE_NAME.search(cls.short_name):
                suite.doubles.append((path, cls.line, f"fake class {cls.short_name}"))
        source = app.project.files[path]
        # Neither pattern is anchored, so a line matches only if the whole text does, and
        # the text only if it holds one of the pattern's literals: most test files are
        # skipped after a few substring tests instead of two searches per line.
        text = source.text
        env_key = any(literal in text for literal in _ENV_KEY_LITERALS) and \
            _ENV_KEY.search(text)
        fake_struct = "Struct.new" in text and _FAKE_STRUCT.search(text)
        if not env_key and not fake_struct:
            continue
        for number, line in enumerate(source.lines, start=1):
            if env_key and _ENV_KEY.search(line):
                suite.error_paths.append((path, number, "missing API key"))
            if fake_struct and _FAKE_STRUCT.search(line):
                suite.doubles.append((path, number, "fake Struct"))
    suite.doubles.sort()
    suite.error_paths.sort()
