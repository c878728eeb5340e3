"""RG302: a test double stands in for a RubyLLM API that does not exist."""

from __future__ import annotations

import re

from rubygrade import treeutil
from rubygrade.analysis.doubles import Answer
from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.dataclass_lite import dataclass
from rubygrade.index.model import CallSite, Param
from rubygrade.models import Confidence, Dimension, Severity

# Methods every fake may define without claiming to be part of the gem's API.
_PLUMBING = {"initialize", "method_missing", "respond_to_missing?", "respond_to?", "to_s",
             "inspect", "call", "==", "to_h", "to_str", ""}


@dataclass(frozen=True)
class Stubbed:
    """A gem method a test stubs or fakes."""

    owner: str  # the RubyLLM constant the double stands for
    singleton: bool
    method: str
    path: str
    line: int
    how: str  # "stub", "fake", "double"
    params: tuple[Param, ...] | None = None  # a fake method's own parameters


def _symbols(call: CallSite) -> list[str]:
    """Method names a stub call names: ``stubs(:ask)``, ``stubs(ask: x)``, ``receive(:ask)``."""
    out = []
    for arg in call.args[:1] if call.method in ("stub", "stub_any_instance") else call.args:
        if arg.kind == "keyword" and arg.name:
            out.append(arg.name)
        elif arg.kind == "positional" and arg.node.type in ("simple_symbol", "string"):
            value = treeutil.string_value(arg.node)
            if value:
                out.append(value)
        elif arg.kind == "positional" and arg.node.type == "hash":
            out += [treeutil.text(p.child_by_field_name("key")).rstrip(":")
                    for p in arg.node.named_children if p.type == "pair"]
    return out


def _rspec_subject(call: CallSite) -> tuple[str | None, bool]:
    """For ``allow(X).to receive(:m)``: X's constant and whether any instance is meant."""
    for parent in treeutil.ancestors(call.node):
        if parent.type != "call":
            continue
        method = treeutil.text(parent.child_by_field_name("method"))
        if method in ("to", "not_to", "to_not"):
            receiver = parent.child_by_field_name("receiver")
            if receiver is None or receiver.type != "call":
                return None, False
            who = treeutil.text(receiver.child_by_field_name("method"))
            args = receiver.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            return treeutil.constant_name(first), who.endswith("any_instance_of")
    return None, False


#: The only calls :func:`_direct_stubs` finds a stub in (any other gets no owner).
_STUBBING = frozenset({"stubs", "expects", "stub", "stub_any_instance", "receive",
                       "receive_messages", "instance_double", "class_double"})


def _direct_stubs(call: CallSite) -> list[Stubbed]:
    """Stubs on RubyLLM constants: Mocha, Minitest ``stub``, RSpec ``receive``, doubles."""
    owner: str | None = None
    singleton = True
    if call.method in ("stubs", "expects", "stub", "stub_any_instance"):
        recv = call.receiver
        if recv is not None and recv.type == "call" and \
                treeutil.text(recv.child_by_field_name("method")) == "any_instance":
            owner, singleton = treeutil.constant_name(recv.child_by_field_name("receiver")), False
        else:
            owner = call.receiver_constant
            singleton = call.method != "stub_any_instance"
    elif call.method in ("receive", "receive_messages"):
        owner, any_instance = _rspec_subject(call)
        singleton = not any_instance
    elif call.method in ("instance_double", "class_double") and call.args:
        first = call.args[0].node
        owner = treeutil.constant_name(first) or treeutil.string_value(first)
        if not owner or not owner.removeprefix("::").startswith("RubyLLM"):
            return []
        singleton = call.method == "class_double"
        names = [a.name for a in call.args[1:] if a.kind == "keyword" and a.name] or [""]
        return [Stubbed(owner.removeprefix("::"), singleton, n, call.path, call.line, "double")
                for n in names]
    if owner is None or not owner.removeprefix("::").startswith("RubyLLM"):
        return []
    owner = owner.removeprefix("::")
    names = _symbols(call) or [""]
    return [Stubbed(owner, singleton, n, call.path, call.line, "stub") for n in names]


class DoubleOfMissingApi(Rule):
    """A test stubs or fakes a RubyLLM method or class that does not exist in the app's version.

    ## What it does
    Checks test doubles against the catalogue of the `ruby_llm` version in
    Gemfile.lock: Mocha `X.stubs(:m)`/`X.any_instance.stubs(:m)`/`expects`,
    Minitest `X.stub(:m, ...)`, RSpec `allow(X).to receive(:m)` and
    `instance_double(X, m: ...)` on a `RubyLLM` constant (the constant must exist,
    and so must the method); and the stand-ins for RubyLLM objects, found by where
    they flow (what a stub of `RubyLLM.chat`/`RubyLLM::Chat.new` returns, a double
    the test passes where the app receives a chat, what a stand-in's `ask`
    returns), never by a variable's or class's name: each method they answer that
    the app's own code calls on such an object (a value the value flow knows is a
    chat or a message; not `self`, a string or an unknown value) must be a real
    method of what they stand for
    (`RubyLLM::Chat`, or `RubyLLM::Message` for what `ask` returns), and a fake
    method must not require more positional arguments or take keywords the real
    one refuses. A test support file that reopens
    `RubyLLM` to define a class the gem lacks and the app names
    (`class RubyLLM::Client`), or a method the app calls that the gem lacks, is
    reported too.

    ## Why is this bad?
    The test is green and the app crashes: the double answers `chat.user(...)`
    or `RubyLLM::Client#chat` while the real gem raises `NoMethodError` or
    `NameError` on the first real request.

    ## Example
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        RubyLLM.chat.user(text)
      end
    end
    ```
    ```ruby test/services/chat_service_test.rb
    require "test_helper"

    class ChatServiceTest < ActiveSupport::TestCase
      class FakeChat
        def user(_text) = self
      end

      test "reply" do
        RubyLLM.stubs(:chat).returns(FakeChat.new)
        assert ChatService.new.reply("Hi")
      end
    end
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    class ChatService
      def reply(text)
        RubyLLM.chat.with_instructions("Be brief.").ask(text).content
      end
    end
    ```
    ```ruby test/services/chat_service_test.rb
    require "test_helper"

    class ChatServiceTest < ActiveSupport::TestCase
      class FakeChat
        def with_instructions(_text) = self
        def ask(_text) = RubyLLM::Message.new(role: :assistant, content: "Hi")
      end

      test "reply" do
        RubyLLM.stubs(:chat).returns(FakeChat.new)
        assert_equal "Hi", ChatService.new.reply("Hi")
      end
    end
    ```
    """

    id = "RG302"
    name = "double-of-missing-api"
    dimension = Dimension.TESTS
    severity = Severity.ERROR

    def check(self, ctx: Context) -> None:
        catalogue = ctx.catalogue
        if catalogue is None:
            return
        files = set(ctx.analyses.suite.files)
        found: list[tuple[Stubbed, Confidence]] = []
        for call in ctx.index.calls:
            if call.method in _STUBBING and call.path in files:
                found += [(stub, Confidence.HIGH) for stub in _direct_stubs(call)]
        found += self._reopened(ctx, files)
        relied = _relied_on(ctx, {a.method for a in ctx.analyses.doubles.answers})
        for answer in ctx.analyses.doubles.answers:
            if (answer.stands_for, answer.method) in relied:
                found.append((_stubbed(answer), Confidence.MEDIUM))
        reported: set[tuple[str, int, str]] = set()
        for stub, confidence in sorted(found, key=lambda f: (f[0].path, f[0].line,
                                                             f[0].method)):
            problem = self._problem(ctx, stub)
            key = (stub.path, stub.line, stub.method)
            if problem is None or key in reported:
                continue
            reported.add(key)
            ctx.report(stub.path, stub.line, problem, confidence=confidence,
                       fix="Stub the real API: RubyLLM.chat returning an object with ask, "
                           "with_instructions, with_model (see the gem's RubyLLM::Chat).",
                       data={"api": f"{stub.owner}{'.' if stub.singleton else '#'}"
                             f"{stub.method}"})

    def _reopened(self, ctx: Context, files: set[str]) -> list[tuple[Stubbed, Confidence]]:
        """``module RubyLLM; class Client ... end; end`` in a test support file: a fake
        of the gem itself. The class must exist; its methods the app calls must too."""
        out: list[tuple[Stubbed, Confidence]] = []
        fakes = [cls for cls in ctx.index.classes if cls.path in files and (
            cls.name == "RubyLLM" or cls.name.startswith("RubyLLM::"))]
        if not fakes:
            return out  # most suites: no need for the app's text or its call names
        app_text = "\n".join(s.text for s in ctx.project.app_files("ruby")
                             if s.path not in files and "RubyLLM" in s.text)
        called: dict[str, bool] = {}  # method name -> some app code calls it
        for cls in fakes:
            referenced = re.search(re.escape(cls.name) + r"\b(?!::)", app_text) is not None
            if referenced:
                # only a fake the app's code relies on hides a crash
                out.append((Stubbed(cls.name, True, "", cls.path, cls.line, "fake"),
                            Confidence.HIGH))
            elif ctx.catalogue is None or not ctx.catalogue.has_constant(cls.name):
                continue  # a fake class nothing in the app names: its methods answer nobody
            for method in ctx.index.methods_of(cls.name):
                if method.path == cls.path and method.kind == "def" and \
                        _app_calls(ctx, method.name, called):
                    out.append((Stubbed(cls.name, method.singleton, method.name, method.path,
                                        method.line, "fake"), Confidence.MEDIUM))
        return out

    def _problem(self, ctx: Context, stub: Stubbed) -> str | None:
        catalogue = ctx.catalogue
        assert catalogue is not None
        version = f"ruby_llm {ctx.catalogue_version}"
        if not catalogue.has_constant(stub.owner):
            return f"The test double stands in for {stub.owner}, which {version} does not have."
        if stub.method in _PLUMBING:
            return None
        sig = catalogue.find_method(stub.owner, stub.method, stub.singleton)
        if sig is not None:
            clash = _arity_clash(stub.params, [(p.kind, p.name) for p in sig.params]) \
                if stub.params is not None and not sig.forwards else None
            return None if clash is None else (
                f"The fake's {stub.method} {clash} {stub.owner}#{stub.method} in {version} "
                "does not: the app's call can pass the test and fail for real.")
        if catalogue.is_open(stub.owner, stub.singleton):
            return None
        sep = "." if stub.singleton else "#"
        what = "fake" if stub.how == "fake" else "test double"
        return (f"The {what} answers {stub.owner}{sep}{stub.method}, which {version} does not "
                "define: the test passes where the app would raise NoMethodError.")


def _app_calls(ctx: Context, name: str, known: dict[str, bool]) -> bool:
    """Some call of the app's own code has method ``name`` (memoised in ``known``): the
    calls of that name only, not a scan of every call for the set of all names."""
    found = known.get(name)
    if found is None:
        found = known[name] = any(ctx.project.is_app_code(c.path)
                                  for c in ctx.index.calls_named(name))
    return found


def _relied_on(ctx: Context, names: set[str]) -> set[tuple[str, str]]:
    """``(RubyLLM class, method)`` for each app call of one of ``names`` on a value the
    value flow knows is of that class: what the app asks of the real object. A call on
    ``self``, on a string, or on an unknown value is not (a fake's ``attr_reader
    :instructions`` that the test reads back answers nobody in the app)."""
    out: set[tuple[str, str]] = set()
    if not names:
        return out  # most suites: no double answers a method, no need to scan the calls
    values = ctx.analyses.values
    for call in ctx.index.calls:
        if call.method not in names or not ctx.project.is_app_code(call.path):
            continue
        rtype = values.receiver_type(call)
        if rtype is not None and rtype.owner.startswith("RubyLLM") and \
                rtype.kind not in ("factory", "store", "external", "foreign", "app"):
            out.add((rtype.owner, call.method))
    return out


def _stubbed(answer: Answer) -> Stubbed:
    return Stubbed(answer.stands_for, False, answer.method, answer.path, answer.line, answer.how,
                   answer.params)


def _arity_clash(fake: tuple[Param, ...], real: list[tuple[str, str]]) -> str | None:
    """How a fake's parameters accept more than the real method's, or None."""
    kinds = [k for k, _ in real]
    if "forward" in kinds:
        return None
    required = sum(1 for p in fake if p.kind == "req")
    if "rest" not in kinds and required > kinds.count("req") + kinds.count("opt"):
        return f"requires {required} positional arguments, which"
    real_keys = {n for k, n in real if k in ("key", "keyreq")}
    if "keyrest" not in kinds:
        extra = sorted(p.name for p in fake if p.kind in ("key", "keyreq")
                       and p.name not in real_keys)
        if extra:
            return f"takes the keyword {', '.join(extra)}, which"
    return None
