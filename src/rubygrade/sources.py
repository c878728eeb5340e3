"""Source files of the analysed repository, each read and parsed at most once.

A ``SourceFile`` knows its kind (Ruby, ERB, JavaScript or other) and gives its
text and its tree lazily. ERB templates are parsed twice over one buffer: the
template grammar finds the ``<% %>`` tags, then the Ruby inside them is laid
into a buffer of the template's exact shape (everything else blanked to
spaces, newlines kept, each tag closed with ``;``) and parsed as Ruby, so a
node's line and column in that Ruby tree are its line and column in the
template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from tree_sitter import Node, Tree

from rubygrade import treeutil
from rubygrade.models import Diagnostic

FileKind = Literal["ruby", "erb", "javascript", "other"]

RUBY_NAMES = {"Gemfile", "Rakefile", "config.ru", "Guardfile", "Capfile"}
RUBY_SUFFIXES = {".rb", ".rake", ".gemspec", ".ru", ".jbuilder"}
JS_SUFFIXES = {".js", ".mjs"}
# bytes.translate table that blanks every byte to a space but keeps line breaks, so a
# blanked buffer keeps the template's lines and columns (C speed, not a loop per byte).
_BLANK = bytes(b if b in (0x0A, 0x0D) else 0x20 for b in range(256))


def classify(rel_path: str) -> FileKind:
    """Decide how a file is parsed, from its repository-relative path."""
    pure = PurePosixPath(rel_path)
    if pure.name in RUBY_NAMES or pure.suffix in RUBY_SUFFIXES:
        return "ruby"
    if pure.suffix == ".erb":
        return "erb"
    if pure.suffix in JS_SUFFIXES and rel_path.startswith(("app/javascript/", "app/assets/")):
        return "javascript"
    return "other"


@dataclass(frozen=True)
class ErbTag:
    """One ``<% %>`` tag of a template: its opening delimiter and Ruby code node span."""

    opener: str  # "<%", "<%=", "<%==", "<%-"
    code: str
    line: int
    start_byte: int
    end_byte: int

    @property
    def outputs(self) -> bool:
        return self.opener.startswith("<%=")

    @property
    def raw_output(self) -> bool:
        return self.opener == "<%=="


@dataclass
class SourceFile:
    """One file of the repository. ``path`` is repo-relative POSIX; ``abspath`` on disk."""

    path: str
    abspath: Path
    size: int
    kind: FileKind
    _data: bytes | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)
    _tree: Tree | None = field(default=None, repr=False)
    _ruby_source: bytes | None = field(default=None, repr=False)
    _erb_tags: list[ErbTag] | None = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)
    _utf8: bytes | None = field(default=None, repr=False)
    diagnostics: list[Diagnostic] = field(default_factory=list, repr=False)
    binary: bool = False

    # -- raw content --------------------------------------------------------
    @property
    def data(self) -> bytes:
        if self._data is None:
            try:
                self._data = self.abspath.read_bytes()
            except OSError as exc:
                self._data = b""
                self.diagnostics.append(
                    Diagnostic(kind="skipped", path=self.path, message=f"unreadable: {exc.strerror}")
                )
        return self._data

    @property
    def text(self) -> str:
        """The file as text. Invalid UTF-8 is replaced and reported once; NUL marks binary."""
        if self._text is None:
            raw = self.data
            if b"\x00" in raw[:8192]:
                self.binary = True
                self._text = ""
                self.diagnostics.append(
                    Diagnostic(kind="skipped", path=self.path, message="binary file (NUL bytes)")
                )
                return self._text
            try:
                self._text = raw.decode("utf-8")
                self._utf8 = raw  # the text's UTF-8 is the file itself: no re-encoding
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                self._text = raw.decode("utf-8", errors="replace")
                self.diagnostics.append(
                    Diagnostic(
                        kind="encoding",
                        path=self.path,
                        line=line,
                        message="invalid UTF-8; undecodable bytes replaced",
                    )
                )
        return self._text

    @property
    def lines(self) -> list[str]:
        """The text's lines (split once; every finding's snippet reads them)."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""

    # -- trees --------------------------------------------------------------
    @property
    def tree(self) -> Tree | None:
        """The Ruby tree (also for ERB, over the Ruby buffer) or the JavaScript tree."""
        if not self._parsed:
            self._parsed = True
            self._tree = self._parse()
        return self._tree

    @property
    def root(self) -> Node | None:
        tree = self.tree
        return tree.root_node if tree is not None else None

    @property
    def erb_tags(self) -> list[ErbTag]:
        if self.kind != "erb":
            return []
        if self._erb_tags is None:
            self._split_erb()
        return self._erb_tags or []

    @property
    def language(self) -> str | None:
        return {"ruby": "ruby", "erb": "ruby", "javascript": "javascript"}.get(self.kind)

    def _encoded(self) -> bytes:
        """The text as UTF-8 (the file's own bytes when they were valid UTF-8)."""
        text = self.text
        return self._utf8 if self._utf8 is not None else text.encode("utf-8")

    def _parse(self) -> Tree | None:
        if self.kind == "other":
            return None
        source = self._encoded()
        if self.binary:
            return None
        if self.kind == "erb":
            self._split_erb()
            source = self._ruby_source or b""
        assert self.language is not None
        tree = treeutil.parse(self.language, source)
        self._report_errors(tree.root_node)
        return tree

    def _split_erb(self) -> None:
        """Find the template's tags and lay their Ruby into a same-shaped buffer."""
        source = self._encoded()
        template = treeutil.parse("erb", source)
        buffer = bytearray(source.translate(_BLANK))
        tags: list[ErbTag] = []
        for node in template.root_node.children:
            if node.type not in ("directive", "output_directive"):
                continue
            opener = node.children[0] if node.children else None
            code = node.child_by_field_name("code") or next(
                (c for c in node.children if c.type == "code"), None
            )
            if code is None or opener is None:
                continue
            buffer[code.start_byte : code.end_byte] = source[code.start_byte : code.end_byte]
            # Close every tag with ';' where its "%>" stood, so adjacent tags stay statements.
            if code.end_byte < len(buffer):
                buffer[code.end_byte] = ord(";")
            tags.append(
                ErbTag(
                    opener=treeutil.text(opener),
                    code=treeutil.text(code).strip(),
                    line=treeutil.line_of(code),
                    start_byte=code.start_byte,
                    end_byte=code.end_byte,
                )
            )
        self._ruby_source = bytes(buffer)
        self._erb_tags = tags

    def html_text(self) -> str:
        """The template with its Ruby tags blanked: the HTML that attribute checks read."""
        if self.kind != "erb":
            return self.text
        source = bytearray(self._encoded())
        for tag in self.erb_tags:
            source[tag.start_byte : tag.end_byte] = \
                source[tag.start_byte : tag.end_byte].translate(_BLANK)
        return source.decode("utf-8", errors="replace")

    def _report_errors(self, root: Node) -> None:
        errors = treeutil.error_nodes(root, limit=5)
        for node in errors:
            what = "missing " + node.type if node.is_missing else "syntax error"
            self.diagnostics.append(
                Diagnostic(
                    kind="parse_error",
                    path=self.path,
                    line=treeutil.line_of(node),
                    message=f"{what} at line {treeutil.line_of(node)}, column "
                    f"{treeutil.column_of(node)}; analysed as far as the tree goes",
                )
            )

    def snippet(self, line: int) -> str:
        return self.line_text(line)[:200]
