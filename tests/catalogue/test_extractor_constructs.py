"""One fixture gem per Ruby construct (tests/fixtures/gems/<name>/lib)."""

from __future__ import annotations

from rubygrade.catalogue.extractor import Extractor

from .conftest import fixture_catalogue, pairs


def test_singleton_forms():
    cat = fixture_catalogue("singleton")
    thing = cat.classes["Single::Thing"]
    assert pairs(cat, "Single::Thing", "build", True) == [["req", "name"], ["key", "size"]]
    assert "registry" in thing.singleton_methods
    for hidden in ("hidden_helper", "secret", "also_secret"):
        assert hidden not in thing.singleton_methods
        assert hidden in thing.nonpublic_singleton_methods
    assert "instance_side" in thing.instance_methods
    assert "build" not in thing.instance_methods


def test_module_function_bare_and_named():
    cat = fixture_catalogue("modfun")
    bare = cat.classes["Mod::Bare"]
    assert set(bare.singleton_methods) == {"helper", "other"}
    assert bare.instance_methods == {}  # module_function makes instance copies private
    named = cat.classes["Mod::Named"]
    assert set(named.singleton_methods) == {"one"}
    assert set(named.instance_methods) == {"two"}


def test_visibility_sections():
    cat = fixture_catalogue("visibility")
    box = cat.classes["Vis::Box"]
    assert set(box.instance_methods) == {"open_a", "open_b", "open_d"}
    assert {"closed_a", "closed_b", "guarded", "open_c", "initialize"} <= set(
        box.nonpublic_instance_methods)
    # private :open_d in a subclass hides the inherited public method
    assert cat.find_method("Vis::SubBox", "open_d") is None
    assert cat.find_method("Vis::Box", "open_d") is not None
    assert cat.nonpublic_visibility("Vis::SubBox", "open_d") == "private"
    assert pairs(cat, "Vis::Box", "new", True) == [["req", "size"]]


def test_attr_macros():
    cat = fixture_catalogue("attrs")
    rec = cat.classes["Attrs::Record"]
    assert set(rec.instance_methods) == {"id", "name", "secret=", "notes", "notes="}
    assert rec.instance_methods["notes="].param_pairs() == [["req", "value"]]
    assert rec.nonpublic_instance_methods == ["internal"]


def test_aliases_copy_target_params():
    cat = fixture_catalogue("aliases")
    talker = cat.classes["Al::Talker"]
    ask = talker.instance_methods["ask"].param_pairs()
    assert talker.instance_methods["say"].param_pairs() == ask
    assert talker.instance_methods["say"].alias_of == "ask"
    assert talker.instance_methods["speak"].param_pairs() == ask
    assert talker.instance_methods["hello"].param_pairs() == [
        ["req", "name"], ["key", "loud"], ["block", "block"]]  # inherited target
    assert talker.singleton_methods["desc"].param_pairs() == [["opt", "text"]]
    assert "also_internal" in talker.nonpublic_instance_methods


def test_forwarding_resolved():
    cat = fixture_catalogue("forwarding")
    chat = cat.find_method("Fwd", "chat", singleton=True)
    assert chat.forwards and chat.forwards_to == "Fwd::Chat#initialize"
    assert chat.param_pairs() == [["key", "model"], ["key", "provider"], ["key", "context"]]
    assert chat.returns == "Fwd::Chat"
    embed = cat.find_method("Fwd", "embed", singleton=True)
    assert embed.forwards_to == "Fwd::Embedding.embed"
    assert embed.param_pairs()[0] == ["req", "text"]
    external = cat.find_method("Fwd", "external", singleton=True)
    assert external.forwards and external.forwards_to is None
    assert external.param_pairs() == [["rest", "*"], ["keyrest", "**"], ["block", "&"]]
    # *args, **kwargs pass-through; the keyword it fixes itself is hidden
    ctx_chat = cat.find_method("Fwd::Context", "chat")
    assert ctx_chat.param_pairs() == [["key", "model"], ["key", "provider"]]
    # (...) forwarded to to_llm, whose return type is inferred
    assert cat.find_method("Fwd::ChatMethods", "to_llm").returns == "Fwd::Chat"
    wt = cat.find_method("Fwd::ChatMethods", "with_tool")
    assert wt.forwards_to == "Fwd::Chat#with_tool"
    assert wt.param_pairs() == [["req", "tool"], ["key", "choice"]]
    assert wt.returns == "self"
    assert cat.find_method("Fwd::Chat", "with_tool").returns == "self"
    assert cat.find_method("Fwd::ChatMethods", "complete").returns == "Fwd::Message"


def test_mixins_and_delegation():
    cat = fixture_catalogue("mixins")
    agent = cat.classes["Mix::Agent"]
    assert agent.includes == ["Enumerable", "Mix::Greeting"]
    assert agent.extends == ["Forwardable"]
    assert {"ask", "messages", "finish", "tokens", "cost", "model_name"} <= set(
        agent.instance_methods)
    assert agent.instance_methods["finish"].forwards_to == "chat.complete"
    assert cat.find_method("Mix::Agent", "greet").param_pairs() == [["req", "name"]]
    assert cat.find_method("Mix::Agent", "map") is not None  # Enumerable
    assert cat.find_method("Mix::Agent", "last") is None  # Array, not Enumerable
    assert cat.find_method("Mix::Agent", "def_delegators", singleton=True) is not None
    assert cat.find_method("Mix::Tools", "helper", singleton=True) is not None  # extend self


def test_inheritance_and_errors():
    cat = fixture_catalogue("inheritance")
    assert cat.is_subclass("Inh::RateLimitError", "Inh::Error")
    assert cat.is_subclass("Inh::RateLimitError", "StandardError")
    assert not cat.is_subclass("Inh::ModelNotFoundError", "Inh::Error")
    assert cat.find_method("Inh::Chunk", "content") is not None
    assert cat.find_method("Inh::RateLimitError", "response") is not None
    assert cat.find_method("Inh::RateLimitError", "message") is not None  # Exception
    assert pairs(cat, "Inh::RateLimitError", "new", True) == [
        ["opt", "response"], ["opt", "message"]]
    assert cat.ancestors("Inh::Chunk")[:2] == ["Inh::Chunk", "Inh::Message"]


def test_method_missing_marks_open():
    cat = fixture_catalogue("open_class")
    assert cat.is_open("Opn::Pricing")
    assert not cat.is_open("Opn::Closed")
    assert cat.is_open("Opn::Models", singleton=True)
    assert "method_missing" not in cat.classes["Opn::Pricing"].instance_methods


def test_define_method_names():
    cat = fixture_catalogue("define_method")
    info = cat.classes["Dm::Info"]
    expected = {"literal", "quoted", "streaming?", "vision?", "input", "input=", "output",
                "output=", "cached", "cached="}
    assert set(info.instance_methods) == expected
    assert all(m.dynamic for m in info.instance_methods.values())
    assert info.instance_methods["literal"].param_pairs() == [["req", "a"], ["opt", "b"]]
    assert set(info.constants) == {"ATTRIBUTES", "EXTRA"}


def test_endless_defs():
    cat = fixture_catalogue("endless")
    assert pairs(cat, "Endless::Config", "scaled") == [["req", "factor"], ["key", "by"]]
    assert cat.find_method("Endless::Config", "timeout") is not None
    assert cat.find_method("Endless::Config", "default", singleton=True) is not None


def test_reopened_classes_and_nested_constants():
    cat = fixture_catalogue("reopen")
    content = cat.classes["Re::Content"]
    assert {"text", "attachments"} <= set(content.instance_methods)
    assert content.defined_in == ["reopen/a.rb", "reopen/b.rb"]
    assert cat.has_constant("Re::Content::Raw")
    assert cat.has_constant("Re::Content::VERSION_TAG")
    assert cat.has_constant("Re::Content::Extra")
    assert not cat.has_constant("Re::Content::Missing")
    assert pairs(cat, "Re::Content::Raw", "new", True) == [["req", "value"]]


def test_struct_constants():
    cat = fixture_catalogue("structs")
    assert pairs(cat, "St::Point", "new", True) == [["opt", "x"], ["opt", "y"]]
    assert pairs(cat, "St::Result", "new", True) == [["key", "tool"], ["key", "value"]]
    assert cat.find_method("St::Result", "ok?") is not None
    assert cat.find_method("St::Point", "x=") is not None
    assert cat.find_method("St::Point", "to_h") is not None  # Struct builtin
    assert cat.find_method("St::Pair", "swap") is not None
    assert cat.find_method("St::Pair", "left") is not None


def test_concern_class_methods():
    cat = fixture_catalogue("concern")
    acts = cat.classes["Con::ActsAs"]
    assert "acts_as_chat" in acts.class_methods
    assert "acts_as_chat" not in acts.singleton_methods
    sig = cat.find_method("Con::Record", "acts_as_chat", singleton=True)
    assert sig is not None and sig.param_pairs() == [["key", "messages"], ["key", "model_class"]]
    assert cat.find_method("Con::Record", "legacy_macro", singleton=True) is not None


def test_block_detection():
    cat = fixture_catalogue("blocks")
    chat = cat.classes["Blk::Chat"].instance_methods
    assert chat["yields_it"].yields and chat["yields_it"].takes_block
    assert chat["checks_it"].takes_block and not chat["checks_it"].yields
    assert chat["named"].takes_block
    assert chat["anonymous"].takes_block
    assert not chat["plain"].takes_block and not chat["plain"].yields
    assert chat["plain"].returns == "self"
    assert chat["nested_yield"].yields
    assert chat["calls_super"].takes_block  # bare super passes the block on


def test_syntax_errors_tolerated():
    cat = fixture_catalogue("broken")
    assert cat.find_method("Broken::Good", "fine") is not None


def test_deep_nesting_does_not_recurse(tmp_path):
    depth = 5000
    src = "module Deep\n  def self.x\n    " + "[" * depth + "1" + "]" * depth + "\n  end\nend\n"
    ex = Extractor()
    ex.add_file("deep.rb", src.encode())
    cat = ex.finish("0.0.1", None)
    assert cat.find_method("Deep", "x", singleton=True) is not None


def test_accessor_macros():
    cat = fixture_catalogue("macros")
    conf = cat.classes["Mac::Configuration"]
    for key in ("default_model", "request_timeout", "openai_api_key", "openai_api_base"):
        assert key in conf.instance_methods and f"{key}=" in conf.instance_methods


def test_output_is_deterministic():
    from rubygrade.catalogue.extractor import build_catalogue
    from rubygrade.catalogue.store import dumps_catalogue

    from .conftest import GEMS

    a = dumps_catalogue(build_catalogue(GEMS / "forwarding" / "lib", "0.0.1"))
    b = dumps_catalogue(build_catalogue(GEMS / "forwarding" / "lib", "0.0.1"))
    assert a == b
