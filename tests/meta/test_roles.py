"""The RubyLLM knowledge in api_signatures/ruby_llm/roles.toml agrees with every catalogue, and
no rule or analysis spells a gem API name in code instead of asking the roles.

A name the roles give as a real method must exist in some release; an invented shape must
exist in none (the check that would have caught ``with_history``, ``replay`` and
``restore``, which no release has, in a rule's list of replay methods).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import libcst as cst
import pytest

from rubygrade.analysis.roles import load_roles
from rubygrade.catalogue.model import Catalogue
from rubygrade.catalogue.store import available_versions, load_catalogue

ROLES = load_roles()
SRC = Path(__file__).parents[2] / "src" / "rubygrade"


@cache
def catalogues() -> tuple[Catalogue, ...]:
    return tuple(load_catalogue(v) for v in available_versions())


def _somewhere(owner: str, method: str, singleton: bool = False) -> list[str]:
    return [c.version for c in catalogues()
            if c.find_method(owner, method, singleton=singleton) is not None]


_CHAT_RECORDS = [m for spec in ROLES.acts_as if spec.macro == "acts_as_chat"
                 for m in (spec.new, spec.legacy)]


@pytest.mark.parametrize("method", sorted(ROLES.chat_sends | ROLES.instruction_methods |
                                          ROLES.replay_methods | ROLES.messages_methods |
                                          ROLES.streaming_methods))
def test_chat_methods_exist_in_some_release(method: str) -> None:
    """On a chat, or on an acts_as_chat record (``with_runtime_instructions``, 1.13)."""
    owners = ["RubyLLM::Chat", *_CHAT_RECORDS]
    assert any(_somewhere(owner, method) for owner in owners), \
        f"{method} is a method of no chat or chat record in any catalogue"


@pytest.mark.parametrize("method", sorted(ROLES.message_callbacks))
def test_message_callbacks_exist_in_some_release(method: str) -> None:
    assert _somewhere("RubyLLM::Chat", method), f"RubyLLM::Chat#{method} is in no catalogue"


@pytest.mark.parametrize("method", sorted(ROLES.module_sends | ROLES.entry_module_methods |
                                          ROLES.other_entry_points))
def test_module_methods_exist_in_some_release(method: str) -> None:
    assert _somewhere("RubyLLM", method, singleton=True), f"RubyLLM.{method} is in no catalogue"


def test_reply_reads_exist_on_every_reply_class() -> None:
    for cls in sorted(ROLES.reply_classes):
        for method in sorted(ROLES.reply_reads):
            assert _somewhere(cls, method), f"{cls}#{method} is in no catalogue"


def test_named_classes_exist() -> None:
    classes = {*ROLES.chat_classes, ROLES.agent, ROLES.configuration, ROLES.chunk,
               ROLES.message, *ROLES.entry_constructors, *ROLES.reply_classes}
    for cls in sorted(classes):
        assert any(c.get_class(cls) for c in catalogues()), f"{cls} is in no catalogue"


def test_acts_as_modules_exist() -> None:
    for spec in ROLES.acts_as:
        for module in sorted({spec.new, spec.legacy}):
            assert any(c.get_class(module) for c in catalogues()), \
                f"{spec.macro}: {module} is in no catalogue"


def test_the_error_base_is_in_every_release() -> None:
    missing = [c.version for c in catalogues() if c.get_class(ROLES.error_base) is None]
    assert not missing, f"{ROLES.error_base} missing from {missing}"


@pytest.mark.parametrize("shape", sorted(ROLES.invented))
def test_invented_shapes_exist_in_no_release(shape: str) -> None:
    singleton = "." in shape and "#" not in shape
    owner, method = shape.replace(".", "#", 1).split("#", 1) if singleton else shape.split("#", 1)
    found = _somewhere(owner, method, singleton=singleton)
    assert not found, f"{shape} is called invented but exists in {found}"


@pytest.mark.parametrize("shape", sorted(ROLES.invented_keywords))
def test_invented_keywords_exist_in_no_release(shape: str) -> None:
    target, keyword = shape.split(":")
    owner, method = target.split(".")
    for catalogue in catalogues():
        sig = catalogue.find_method(owner, method, singleton=True)
        names = {p.name for p in sig.params} if sig is not None else set()
        assert keyword not in names, f"{shape}: {catalogue.version} takes {keyword}:"


def test_exception_parents_form_chains_to_exception() -> None:
    for name, parent in sorted(ROLES.exception_parents.items()):
        seen = [name]
        while parent:
            assert parent not in seen, f"{name}: cycle through {parent}"
            seen.append(parent)
            parent = ROLES.exception_parents.get(parent, "")
        assert seen[-1] == "Exception", f"{name} does not reach Exception: {seen}"


# -- no gem API spelt in rule or analysis code --------------------------------------------
#: (module, literal): names that look like gem API but belong to something else.
NOT_GEM_API = {
    ("checks/production/rg801_unescaped_llm_output.py", "content"):
        "turbo-rails broadcast option (content:), not RubyLLM's Message#content",
    ("analysis/views.py", "chat"): "a word in a controller's file name",
}
_GEM_NAMES = (ROLES.all_sends | ROLES.reply_reads | ROLES.instruction_methods |
              ROLES.replay_methods | ROLES.messages_methods | ROLES.streaming_methods |
              ROLES.message_callbacks | ROLES.entry_module_methods |
              ROLES.other_entry_points | {ROLES.agent_instructions_macro})


class _Literals(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and (value in _GEM_NAMES or (
                value.startswith("RubyLLM::") and len(value) > len("RubyLLM::")
                and value.count(" ") == 0)):
            self.found.append(value)


def _modules() -> list[Path]:
    """Rule and analysis modules; roles.py is the loader of the data itself."""
    return sorted(p for p in [*(SRC / "checks").rglob("*.py"), *(SRC / "analysis").rglob("*.py")]
                  if p.name != "roles.py")


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_gem_api_is_spelt_in_code(module: Path) -> None:
    rel = module.relative_to(SRC).as_posix()
    visitor = _Literals()
    cst.parse_module(module.read_text(encoding="utf-8")).visit(visitor)
    spelt = sorted({v for v in visitor.found if (rel, v) not in NOT_GEM_API})
    assert not spelt, f"{rel} spells gem API {spelt}: ask analysis.roles (roles.toml) instead"
