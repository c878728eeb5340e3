"""The cross-version name index answers exactly what loading every catalogue would."""

from __future__ import annotations

import pytest

from rubygrade.catalogue import store
from rubygrade.catalogue.names import INDEX_NAME, build_index
from rubygrade.paths import catalogue_dir

QUERIES = [
    ("RubyLLM::Chat", "with_thinking", False),
    ("RubyLLM::Chat", "with_instructions", False),
    ("RubyLLM::Chat", "user", False),
    ("RubyLLM::Chat", "each", False),  # a gem-defined each; Enumerable too
    ("RubyLLM::Chat", "to_s", False),  # builtin: the fallback path
    ("RubyLLM::Chunk", "content", False),  # inherited from Message
    ("RubyLLM::Message", "text", False),
    ("RubyLLM::Message", "cost", False),
    ("RubyLLM", "chat", True),
    ("RubyLLM", "moderate", True),
    ("RubyLLM", "instrument", True),
    ("RubyLLM::Chat", "new", True),
    ("RubyLLM::Client", "new", True),
]
CONSTANTS = ["RubyLLM::Client", "RubyLLM::RateLimitError", "RubyLLM::ContextLengthExceededError",
             "RubyLLM::UnsupportedFunctionsError", "RubyLLM::Content::Raw", "RubyLLM::Chat",
             "RubyLLM::Embeddings", "Openrouter::Client"]


def _slow_method(owner: str, name: str, singleton: bool) -> list[str]:
    return [c.version for c in store.load_all()
            if c.find_method(owner, name, singleton=singleton) is not None]


def test_committed_index_is_current() -> None:
    committed = (catalogue_dir() / INDEX_NAME).read_text(encoding="utf-8")
    assert committed == build_index(store.load_all()), \
        "run: python scripts/build_catalogues.py --index-only"


@pytest.mark.parametrize(("owner", "name", "singleton"), QUERIES)
def test_method_versions_match_full_lookup(owner: str, name: str, singleton: bool) -> None:
    assert store.versions_with_method(owner, name, singleton) == _slow_method(owner, name,
                                                                              singleton)


@pytest.mark.parametrize("name", CONSTANTS)
def test_constant_versions_match_full_lookup(name: str) -> None:
    expected = [c.version for c in store.load_all() if c.has_constant(name)]
    assert store.versions_with_constant(name) == expected


def test_known_facts_through_the_index() -> None:
    assert store.versions_with_method("RubyLLM::Chat", "with_thinking")[0] == "1.10.0"
    assert store.versions_with_method("RubyLLM::Message", "text") == []
    assert store.versions_with_constant("RubyLLM::Client") == []
    assert store.versions_with_constant("RubyLLM::UnsupportedFunctionsError")[-1] == "1.6.1"
