"""Generated docs: every rule documented, the rule reference and JSON Schemas not stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rubygrade import docsgen
from rubygrade.checks.base import all_rules

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_has_its_doc_sections(rule: type) -> None:
    doc = docsgen.parse_rule_doc(rule)
    assert doc.summary and doc.what and doc.why
    assert doc.example_fences and doc.instead_fences


def test_fences_render_with_their_file_name() -> None:
    section = ("```ruby app/models/chat.rb\nclass Chat\nend\n```\nand\n```text compose.yaml absent\n"
               "(none)\n```\n```yaml\na: 1\n```")
    assert docsgen.render_section(section) == (
        "`app/models/chat.rb`:\n\n```ruby\nclass Chat\nend\n```\n\nand\n\n"
        "`compose.yaml`: absent (none)\n\n```yaml\na: 1\n```")
    fences = docsgen.parse_fences("```erb app/views/a.html.erb\n<p>\n  x\n  ⋮ ×2\n</p>\n```")
    assert fences[0].content == "<p>\n  x\n  x\n  x\n</p>\n"
    for bad in ("```ruby ../x.rb\n```", "```ruby x.rb gone\n```", "```\nx\n```"):
        with pytest.raises(docsgen.RuleDocError):
            docsgen.parse_fences(bad, "RG000")


def test_generated_docs_are_up_to_date() -> None:
    stale = docsgen.stale(ROOT)
    assert not stale, f"run `python scripts/generate_docs.py`: stale {stale}"


def test_check_flag_lists_stale_files_and_fails(tmp_path: Path) -> None:
    for rel, content in docsgen.generated_files().items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    assert docsgen.stale(tmp_path) == []
    (tmp_path / "docs" / "rules" / "RG101.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "docs" / "rules" / "RG999.md").write_text("removed rule\n", encoding="utf-8")
    (tmp_path / "docs" / "schemas" / "brief.schema.json").unlink()
    assert docsgen.stale(tmp_path) == ["docs/rules/RG101.md", "docs/rules/RG999.md",
                                       "docs/schemas/brief.schema.json"]


def test_schemas_are_json_schema_documents() -> None:
    import jsonschema

    for name in ("report", "rubric", "brief"):
        schema = json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)


def test_default_rubric_validates_against_its_schema() -> None:
    import tomllib

    import jsonschema

    schema = json.loads((ROOT / "docs" / "schemas" / "rubric.schema.json").read_text(encoding="utf-8"))
    data = tomllib.loads((ROOT / "rules" / "rubric.toml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    brief_schema = json.loads((ROOT / "docs" / "schemas" / "brief.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(tomllib.loads((ROOT / "rules" / "briefs" / "default.toml").read_text("utf-8")),
                        brief_schema)
