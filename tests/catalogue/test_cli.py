"""``rubygrade catalogue`` sub-commands (run through main_catalogue)."""

from __future__ import annotations

import argparse
import json

from rubygrade.catalogue.cli import main_catalogue, register

from .conftest import GEMS


def run(capsys, *argv):
    code = main_catalogue(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("1.0.0") and lines[-1].startswith("1.16.0")


def test_show_method_json(capsys):
    code, out, _ = run(capsys, "show", "1.14.1", "RubyLLM::Chat#ask", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "RubyLLM::Chat#ask"
    assert data["params"] == [["opt", "message"], ["key", "with"], ["block", "&"]]


def test_show_singleton_method(capsys):
    code, out, _ = run(capsys, "show", "1.14.1", "RubyLLM.chat", "--format", "json")
    assert code == 0
    assert [p[1] for p in json.loads(out)["params"]] == [
        "model", "provider", "assume_model_exists", "context"]


def test_show_class_includes_inherited(capsys):
    code, out, _ = run(capsys, "show", "1.14.1", "RubyLLM::Chunk", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["kind"] == "class" and data["superclass"] == "RubyLLM::Message"
    assert "content" in data["instance_methods"]
    assert data["instance_methods"]["content"] == {"params": []}
    code, out, _ = run(capsys, "show", "1.14.1", "RubyLLM::Chat")
    assert code == 0 and "#ask(" in out


def test_show_errors_exit_2(capsys):
    code, out, err = run(capsys, "show", "9.9.9", "RubyLLM")
    assert code == 2 and "available" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "show", "1.14.1", "RubyLLM::Client")
    assert code == 2 and "RubyLLM::Client" in err
    code, _, err = run(capsys, "show", "1.14.1", "RubyLLM::Message#text")
    assert code == 2


def test_diff_json(capsys):
    code, out, _ = run(capsys, "diff", "1.0.0", "1.16.0", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert "RubyLLM::Chat#with_thinking" in d["methods"]["added"]
    assert "RubyLLM::Chat#with_instructions" in d["methods"]["added"]
    assert "RubyLLM::Chat#model=" in d["methods"]["removed"]
    assert "RubyLLM.moderate" in d["methods"]["added"]
    assert "RubyLLM::UnsupportedFunctionsError" in d["classes"]["removed"]
    assert "RubyLLM::Agent" in d["classes"]["added"]
    changed = {c["name"]: c for c in d["methods"]["changed"]}
    assert changed["RubyLLM.chat"]["from"] == [["key", "model"]]
    code, out, _ = run(capsys, "diff", "1.9.2", "1.10.0")
    assert code == 0 and "+ RubyLLM::Chat#with_thinking" in out


def test_build_to_file(capsys, tmp_path):
    out_file = tmp_path / "x.json"
    code, out, _ = run(capsys, "build", str(GEMS / "forwarding"), "--version", "0.1.0",
                       "--out", str(out_file))
    assert code == 0 and out_file.exists()
    assert json.loads(out_file.read_text())["version"] == "0.1.0"


def test_register_convention():
    top = argparse.ArgumentParser(prog="rubygrade")
    register(top.add_subparsers(dest="command"))
    ns = top.parse_args(["catalogue", "list"])
    assert callable(ns.func)
