"""The Markdown audit, the text output and the JSON contract."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from scoring.cases import load_cases, report_of

from rubygrade import grade
from rubygrade.models import Dimension, Finding, Report, Severity, ToolInfo
from rubygrade.render import render

MINIAPP = Path(__file__).parents[1] / "fixtures" / "apps" / "miniapp"
CITATION = re.compile(r"`[\w./-]+:\d+`")


def test_markdown_audit_is_short_and_cites_file_lines(example_report: Report) -> None:
    text = render(example_report, "markdown")
    assert len(text.split()) < 800
    assert text.startswith("# rubygrade audit: chatapp")
    for section in ("## Scores", "## Verification of API claims", "## Strongest point", "## Weakest point"):
        assert section in text
    assert f"**Total: {example_report.total:g}/100, tier {example_report.tier}.**" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "/" in line.split("|")[2]]
    assert len(rows) == 8
    for row in rows:  # every justification names its evidence (a full dimension may have none)
        assert CITATION.search(row) or "No penalty found" in row, row
    for line in text.split("## Verification of API claims")[1].split("##")[0].splitlines():
        if line.startswith("- "):
            assert CITATION.search(line) and "Catalogue 1." in line, line


def test_markdown_verification_names_the_real_method(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(MINIAPP, app)
    service = app / "app" / "services" / "chat_service.rb"
    service.write_text(service.read_text(encoding="utf-8").replace("response.content", "response.text"),
                       encoding="utf-8")
    text = render(grade(app), "markdown")
    [claim] = [line for line in text.splitlines() if line.startswith("- `app/services/chat_service.rb:")]
    assert "RG201" in claim and "Catalogue 1.14.1: `RubyLLM::Message` has no `text`" in claim
    assert "nearest real: `content()`" in claim


def test_markdown_verification_comes_from_the_report_alone() -> None:
    """No catalogue is loaded: the facts are the ones the rules put in ``Finding.data``."""
    def claim(rule: str, line: int, **data: str) -> Finding:
        return Finding(rule_id=rule, dimension=Dimension.RUBYLLM, severity=Severity.ERROR,
                       message="m.", path="app/x.rb", line=line, data={"catalogue": "0.0.1", **data})

    report = Report(tool=ToolInfo(version="0"), root="app", app_root="", ruby_llm_version="0.0.1",
                    findings=[claim("RG201", 1, receiver="RubyLLM::Chat", method="usr",
                                    nearest="user(text); use(x = …)"),
                              claim("RG203", 2, receiver="RubyLLM::Chat", signature="ask(message)"),
                              claim("RG202", 3, constant="RubyLLM::Clint", nearest=""),
                              claim("RG299", 4)])
    section = render(report, "markdown").split("## Verification of API claims")[1]
    assert "Catalogue 0.0.1: `RubyLLM::Chat` has no `usr`; nearest real: `user(text)`, " \
           "`use(x = …)`." in section
    assert "`app/x.rb:2` RG203: m. Catalogue 0.0.1: real signature `RubyLLM::Chat` `ask(message)`." \
        in section
    assert "`app/x.rb:3` RG202: m. Catalogue 0.0.1: no such constant; nearest real: nothing " \
           "similar." in section
    assert "`app/x.rb:4` RG299: m. (catalogue 0.0.1)" in section


def test_markdown_on_many_findings_stays_under_800_words() -> None:
    for case in load_cases():
        assert len(render(report_of(case), "markdown").split()) < 800


def test_text_caps_each_rule_unless_verbose(example_report: Report) -> None:
    many = example_report.model_copy(update={"findings": example_report.findings * 20})
    rules = {f.rule_id for f in many.findings}
    short = render(many, "text", colour=False)
    for rule_id in rules:  # every rule is shown, at most PER_RULE times, and says how many more
        assert short.count(f": {rule_id} ") == 10, rule_id
        assert f"... 10 more {rule_id} finding(s) (use --verbose to see all)" in short
    full = render(many, "text", colour=False, verbose=True)
    assert len(full.splitlines()) > len(many.findings)
    assert "more" not in full.split("score")[0]
    assert "\x1b[" not in short and "\x1b[" in render(example_report, "text", colour=True)


def test_json_round_trips_and_is_byte_stable(example_report: Report) -> None:
    text = render(example_report, "json")
    assert Report.model_validate_json(text) == example_report
    assert render(Report.model_validate_json(text), "json") == text
    data = json.loads(text)
    assert all("breakdown" in d for d in data["dimensions"])
