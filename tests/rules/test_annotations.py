"""The annotation harness itself: each way a fixture can disagree with its report is caught."""

from __future__ import annotations

from pathlib import Path

from annotations import collect, compare

from rubygrade.models import Dimension, Finding, Severity


def _finding(rule: str, path: str, line: int) -> Finding:
    return Finding(rule_id=rule, dimension=Dimension.ERRORS, severity=Severity.ERROR,
                   message="m", path=path, line=line)


def _write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def test_annotations_name_the_next_code_line_or_the_whole_file(tmp_path: Path) -> None:
    _write(tmp_path, "app/a.rb", "# expect-file: RG603\nclass A\n  # expect: RG401, RG404; ok: RG703\n"
                                 "\n  # todo-ok: RG206\n  call\nend\n")
    _write(tmp_path, "app/v.html.erb", "<%# todo-expect: RG801 %>\n<%== x %>\n")
    _write(tmp_path, "app/c.js", "// ok-file: RG602\n")
    _write(tmp_path, "README.md", "<!-- expect: RG104 -->\ntext\n")
    found = {(a.path, a.line, a.rule_id, a.kind) for a in collect(tmp_path)}
    assert found == {
        ("app/a.rb", None, "RG603", "expect"), ("app/a.rb", 6, "RG401", "expect"),
        ("app/a.rb", 6, "RG404", "expect"), ("app/a.rb", 6, "RG703", "ok"),
        ("app/a.rb", 6, "RG206", "todo-ok"), ("app/v.html.erb", 2, "RG801", "todo-expect"),
        ("app/c.js", None, "RG602", "ok"), ("README.md", 2, "RG104", "expect")}


def test_every_disagreement_is_a_failure(tmp_path: Path) -> None:
    _write(tmp_path, "app/a.rb", "# expect: RG401\na\n# ok: RG201\nb\n# todo-ok: RG206\nc\n"
                                 "# todo-expect: RG301\nd\n# expect-file: RG603\n")
    annotations = collect(tmp_path)
    clean = [_finding("RG401", "app/a.rb", 2), _finding("RG206", "app/a.rb", 6),
             _finding("RG603", "app/a.rb", 1), _finding("RG603", "app/a.rb", 1)]
    outcome = compare(annotations, clean, {"RG401", "RG201", "RG206", "RG301", "RG603"})
    assert outcome.failures == []
    assert outcome.tolerated == ["RG206 at app/a.rb:6: m"]

    wrong = [_finding("RG201", "app/a.rb", 4), _finding("RG301", "app/a.rb", 8),
             _finding("RG999", "app/b.rb", 1)]
    failures = compare(annotations, wrong, {"RG401", "RG201", "RG206", "RG603"}).failures
    assert failures == [
        "unknown rule: todo-expect: RG301 at app/a.rb:8",
        "noisy: RG201 at app/a.rb:4, where ok: says it must not be: m",
        "noisy: RG999 at app/b.rb:1, which no annotation owns: m",
        "missing: RG401 expected at app/a.rb:2",
        "fixed: RG206 is no longer reported at app/a.rb:6; turn todo-ok into ok",
        "found: RG301 is now reported at app/a.rb:8; turn todo-expect into expect",
        "missing: RG603 expected at app/a.rb:*",
    ]


def test_suppressed_findings_need_no_annotation() -> None:
    suppressed = _finding("RG401", "app/a.rb", 2).model_copy(update={"suppressed": True})
    assert compare([], [suppressed]).failures == []
