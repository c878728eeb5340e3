"""Facts about the committed catalogues, checked against the gem source by hand."""

from __future__ import annotations

import json

from rubygrade.catalogue.model import Catalogue
from rubygrade.catalogue.store import (
    available_versions,
    load_catalogue,
    versions_with_constant,
    versions_with_method,
)
from rubygrade.paths import catalogue_dir

from .conftest import pairs


def test_all_releases_catalogued():
    versions = available_versions()
    assert versions[0] == "1.0.0" and versions[-1] == "1.16.0"
    assert len(versions) >= 35
    for v in ("1.1.2", "1.5.1", "1.6.4", "1.8.2", "1.9.2", "1.12.1", "1.13.2", "1.14.1"):
        assert v in versions


def test_files_record_version_commit_extractor():
    for v in ("1.0.0", "1.14.1", "1.16.0"):
        cat = load_catalogue(v)
        assert cat.version == v and cat.gem == "ruby_llm"
        assert cat.commit and len(cat.commit) == 40
        assert cat.extractor_version


def test_chat_entry_point(cat1141):
    assert pairs(cat1141, "RubyLLM", "chat", True) == [
        ["key", "model"], ["key", "provider"], ["key", "assume_model_exists"], ["key", "context"]]
    sig = cat1141.find_method("RubyLLM", "chat", singleton=True)
    assert sig.forwards_to == "RubyLLM::Chat#initialize"
    assert sig.returns == "RubyLLM::Chat"


def test_chat_methods(cat1141):
    assert pairs(cat1141, "RubyLLM::Chat", "add_message") == [["req", "message_or_attributes"]]
    ask = pairs(cat1141, "RubyLLM::Chat", "ask")
    assert ask == [["opt", "message"], ["key", "with"], ["block", "&"]]
    assert pairs(cat1141, "RubyLLM::Chat", "say") == ask
    assert pairs(cat1141, "RubyLLM::Chat", "with_instructions") == [
        ["req", "instructions"], ["key", "append"], ["key", "replace"]]
    assert cat1141.find_method("RubyLLM::Chat", "complete") is not None
    assert cat1141.find_method("RubyLLM::Chat", "ask").returns == "RubyLLM::Message"
    assert cat1141.find_method("RubyLLM::Chat", "with_model").returns == "self"
    for name in ("each", "messages", "with_tool", "map"):
        assert cat1141.find_method("RubyLLM::Chat", name) is not None
    for name in ("user", "assistant", "system", "send_message"):
        assert cat1141.find_method("RubyLLM::Chat", name) is None


def test_message_and_constants(cat1141):
    assert cat1141.find_method("RubyLLM::Message", "content") is not None
    assert cat1141.find_method("RubyLLM::Message", "text") is None
    assert cat1141.find_method("RubyLLM::Content", "text") is not None
    assert cat1141.find_method("RubyLLM::Chunk", "content") is not None
    assert not cat1141.has_constant("RubyLLM::Client")
    assert cat1141.has_constant("RubyLLM::Content::Raw")
    assert cat1141.has_constant("RubyLLM::RateLimitError")
    assert cat1141.is_subclass("RubyLLM::RateLimitError", "RubyLLM::Error")
    assert not cat1141.is_subclass("RubyLLM::ModelNotFoundError", "RubyLLM::Error")


def test_active_record_forwards(cat1141):
    owner = "RubyLLM::ActiveRecord::ChatMethods"
    assert cat1141.find_method(owner, "to_llm").returns == "RubyLLM::Chat"
    wt = cat1141.find_method(owner, "with_tool")
    assert wt.forwards_to == "RubyLLM::Chat#with_tool"
    assert wt.param_pairs() == [["req", "tool"], ["key", "choice"], ["key", "calls"]]
    assert cat1141.find_method(owner, "ask").returns == "RubyLLM::Message"
    acts = cat1141.classes["RubyLLM::ActiveRecord::ActsAs"]
    assert {"acts_as_chat", "acts_as_message", "acts_as_model"} <= set(acts.class_methods)


def test_configuration_keys():
    old = load_catalogue("1.0.0")
    new = load_catalogue("1.14.1")
    for cat in (old, new):
        assert cat.find_method("RubyLLM::Configuration", "openai_api_key=") is not None
    assert new.find_method("RubyLLM::Configuration", "bedrock_region") is not None
    assert old.find_method("RubyLLM::Configuration", "bedrock_region") is None


def test_across_versions():
    thinking = versions_with_method("RubyLLM::Chat", "with_thinking")
    assert thinking[0] == "1.10.0" and thinking[-1] == "1.16.0"
    instr = versions_with_method("RubyLLM::Chat", "with_instructions")
    assert instr[0] == "1.1.0"  # not in 1.0.0
    assert versions_with_method("RubyLLM", "moderate", singleton=True)[0] == "1.8.0"
    assert versions_with_method("RubyLLM::Message", "text") == []
    assert versions_with_constant("RubyLLM::Client") == []
    funcs = versions_with_constant("RubyLLM::UnsupportedFunctionsError")
    assert funcs[0] == "1.0.0" and funcs[-1] == "1.6.1"
    assert versions_with_constant("RubyLLM::Content::Raw")[0] == "1.9.0"


def test_json_files_are_sorted_and_valid():
    path = catalogue_dir() / "1.14.1.json"
    text = path.read_text()
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert list(data["classes"]) == sorted(data["classes"])
    Catalogue.model_validate(data)


def test_published_schema_matches_model():
    from pathlib import Path

    schema_path = Path(__file__).resolve().parents[2] / "docs" / "schemas" / \
        "catalogue.schema.json"
    assert json.loads(schema_path.read_text()) == Catalogue.model_json_schema()
