"""Property-based: whatever bytes land in an app's files, grading ends with a report.

Inputs are random bytes, and Ruby/ERB/JS/Gemfile.lock/Dockerfile/compose text from
our own small app and the example app, truncated, spliced and mutated byte- and
line-wise. The whole pipeline runs (rubygrade.grade on a temporary repository):
no exception may escape, the report must render, and a file with NUL bytes or
invalid UTF-8 (repaired, cut where Ruby stops reading, or not text) must be
named in a diagnostic.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robustness.apps import BASE_APP, grade_ok, write_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chatapp"

# Which app files get which seeds; every one of them is read by some part of the pipeline.
TARGETS = {
    "app/controllers/chats_controller.rb": ".rb",
    "app/models/chat.rb": ".rb",
    "config/routes.rb": ".rb",
    "Gemfile": ".rb",
    "app/views/chats/index.html.erb": ".erb",
    "app/views/chats/_message.html.erb": ".erb",
    "app/javascript/controllers/chat_controller.js": ".js",
    "Gemfile.lock": ".lock",
    "Dockerfile": "Dockerfile",
    "docker-compose.yml": ".yml",
}
PARSED = {".rb", ".erb", ".js"}


def _seeds() -> dict[str, list[bytes]]:
    seeds: dict[str, list[bytes]] = {k: [] for k in set(TARGETS.values())}
    for rel, text in BASE_APP.items():
        key = TARGETS.get(rel) or Path(rel).suffix or Path(rel).name
        if key in seeds:
            seeds[key].append(text.encode())
    for path in sorted(EXAMPLE.rglob("*")):
        key = path.name if path.name == "Dockerfile" else path.suffix
        key = ".yml" if key == ".yaml" else key
        if path.is_file() and key in seeds:
            seeds[key].append(path.read_bytes())
    return seeds


SEEDS = _seeds()
ALL_SEEDS = [s for group in SEEDS.values() for s in group]


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """Bytes for a file of ``kind``: random, or a seed truncated, spliced or mutated."""
    how = draw(st.sampled_from(["random", "truncate", "splice", "bytes", "lines"]))
    if how == "random":
        return draw(st.binary(max_size=3000))
    seed = draw(st.sampled_from(SEEDS[kind] or ALL_SEEDS))
    if how == "truncate":
        return seed[: draw(st.integers(0, len(seed)))]
    if how == "splice":
        other = draw(st.sampled_from(ALL_SEEDS))
        return seed[: draw(st.integers(0, len(seed)))] + other[draw(st.integers(0, len(other))):]
    if how == "bytes":
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 8))):
            pos = draw(st.integers(0, len(data)))
            op = draw(st.sampled_from(["insert", "delete", "replace"]))
            value = draw(st.sampled_from([0, 0x0A, 0x22, 0x27, 0x25, 0x3C, 0x3E, 0x7B, 0x7D,
                                          0x28, 0x29, 0x5B, 0x5D, 0x23, 0x5C, 0x80, 0xC3, 0xFF,
                                          0x09, 0x20, 0x3A]))
            if op == "insert":
                data[pos:pos] = bytes([value])
            elif data and pos < len(data):
                data[pos:pos + 1] = b"" if op == "delete" else bytes([value])
        return bytes(data)
    lines = seed.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "keyword"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i] * draw(st.integers(2, 5)))
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = b"\t" * draw(st.integers(1, 40)) + lines[i]
        else:
            lines.insert(i, draw(st.sampled_from(
                [b"end\n", b"do |x|\n", b"<% end %>\n", b"<%= \n", b"}\n", b"begin\n",
                 b"rescue\n", b"class\n", b"def\n", b"    ruby_llm (\n", b"GEM\n",
                 b"  specs:\n", b"FROM\n", b"services:\n  - :\n", b"\xef\xbb\xbf"])))
    return b"".join(lines)


def _check(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="rubygrade-prop-") as tmp:
        root = write_app(Path(tmp) / "app", files)  # type: ignore[arg-type]
        report = grade_ok(root)
    assert report.dimensions
    for rel, data in files.items():
        if TARGETS[rel] not in PARSED:
            continue
        kinds = {d.kind for d in report.diagnostics if d.path == rel}
        controls = b"\x00\x04\x1a" if TARGETS[rel] == ".rb" else b"\x00"
        if any(byte in data for byte in controls):
            # cut where Ruby stops reading, blanked, or not text at all: always said
            assert kinds & {"encoding", "skipped"}, (rel, kinds)
        else:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                assert kinds & {"encoding", "skipped"}, (rel, kinds)


BOUNDED = settings(max_examples=100, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@BOUNDED
@given(st.sampled_from(sorted(TARGETS)).flatmap(
    lambda rel: st.tuples(st.just(rel), mutated(TARGETS[rel]))))
def test_one_mutated_file_never_breaks_the_run(case: tuple[str, bytes]) -> None:
    rel, data = case
    _check({rel: data})


@settings(BOUNDED, max_examples=40)
@given(st.lists(st.sampled_from(sorted(TARGETS)), min_size=2, max_size=5, unique=True).flatmap(
    lambda rels: st.tuples(*(st.tuples(st.just(r), mutated(TARGETS[r])) for r in rels))))
def test_several_mutated_files_never_break_the_run(cases: tuple[tuple[str, bytes], ...]) -> None:
    _check(dict(cases))
