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

import re
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Literal

from tree_sitter import Node, Tree

from rubygrade import treeutil
from rubygrade.dataclass_lite import dataclass
from rubygrade.models import Diagnostic

FileKind = Literal["ruby", "erb", "javascript", "other"]

RUBY_NAMES = {"Gemfile", "Rakefile", "config.ru", "Guardfile", "Capfile"}
RUBY_SUFFIXES = {".rb", ".rake", ".gemspec", ".ru", ".jbuilder"}
JS_SUFFIXES = {".js", ".mjs"}
# bytes.translate table that blanks every byte to a space but keeps line breaks, so a
# blanked buffer keeps the template's lines and columns (C speed, not a loop per byte).
_BLANK = bytes(b if b in (0x0A, 0x0D) else 0x20 for b in range(256))
# Ruby's lexer ends the script at a NUL, ^D or ^Z where a token would start (parse.y); inside
# a comment, string, heredoc or regexp the byte is content. Blanked to a space for parsing.
_RUBY_EOF = re.compile(rb"[\x00\x04\x1a]")
_BLANK_EOF = bytes.maketrans(b"\x00\x04\x1a", b"   ")
_BLANK_NUL = bytes.maketrans(b"\x00", b" ")
_EOF_NAMES = {0x00: "NUL", 0x04: "^D", 0x1A: "^Z"}
# Node types whose bytes are data to Ruby, not tokens; ``interpolation`` is code again.
_LITERALS = frozenset({"comment", "string", "string_content", "heredoc_body", "heredoc_content",
                       "regex", "subshell", "delimited_symbol",
                       "string_array", "symbol_array", "uninterpreted", "escape_sequence"})
_LITERAL_DEPTH = 4
CODE_KINDS = ("ruby", "erb", "javascript")
#: A code file whose decoded text is more than this share of U+FFFD is not text at all.
UNDECODABLE_SHARE = 0.25


def ruby_script_end(raw: bytes) -> int | None:
    """The offset where Ruby stops reading ``raw``: its first NUL, ^D or ^Z outside a literal.

    NUL bytes inside comments, strings, heredocs, regexps and ``%w[]`` arrays are content
    to Ruby (verified against CRuby 3.1); one where a token would start ends the script, as
    ``__END__`` does. The literals are found in the tree-sitter tree of the file with those
    bytes blanked to spaces (the grammar itself stops a comment at a NUL).
    """
    first = _RUBY_EOF.search(raw)
    if first is None:
        return None
    root = treeutil.parse("ruby", raw.translate(_BLANK_EOF)).root_node
    position = first.start()
    while True:
        node: Node | None = root.descendant_for_byte_range(position, position + 1)
        literal_end = None
        # A literal is the byte's own node or a near parent (``string`` > ``string_content``);
        # climbing further would be quadratic in hostile nesting (``Node.parent`` is O(depth)).
        for _ in range(_LITERAL_DEPTH):
            if node is None or node.type == "interpolation":
                break
            if node.type in _LITERALS:
                literal_end = node.end_byte
                break
            node = node.parent
        if literal_end is None:
            return position
        following = _RUBY_EOF.search(raw, max(literal_end, position + 1))
        if following is None:
            return None
        position = following.start()


def classify(rel_path: str) -> FileKind:
    """Decide how a file is parsed, from its repository-relative path."""
    name = _file_name(rel_path)
    suffix = _suffix(name)
    if name in RUBY_NAMES or suffix in RUBY_SUFFIXES:
        return "ruby"
    if suffix == ".erb":
        return "erb"
    if suffix in JS_SUFFIXES and rel_path.startswith(("app/javascript/", "app/assets/")):
        return "javascript"
    return "other"


def _file_name(rel_path: str) -> str:
    """``PurePosixPath(rel_path).name`` without building the path (every listed file is
    classified): the last part, unless that is empty or ``.``, which the path drops."""
    name = rel_path.rpartition("/")[2]
    return name if name not in ("", ".") else PurePosixPath(rel_path).name


def _suffix(name: str) -> str:
    """``PurePosixPath.suffix`` of a file name (its rule: a dot neither first nor last)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _looks_binary(raw: bytes) -> bool:
    """NUL bytes that are not a few stray bytes in UTF-8 text (images, archives, UTF-16)."""
    nuls = raw.count(b"\x00")
    if nuls > 16 and nuls * 100 > len(raw):
        return True
    try:
        raw.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _undecodable(text: str) -> bool:
    bad = text.count("\ufffd")
    return bad > 64 and bad > UNDECODABLE_SHARE * len(text)


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
    _erb_comments: list[tuple[int, int]] | None = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)
    _utf8: bytes | None = field(default=None, repr=False)
    diagnostics: list[Diagnostic] = field(default_factory=list, repr=False)
    binary: bool = False
    # Why no rule could analyse this file (unreadable, not text), or None; see RG113.
    not_analysed: str | None = None

    # -- raw content --------------------------------------------------------
    @property
    def data(self) -> bytes:
        if self._data is None:
            try:
                self._data = self.abspath.read_bytes()
            except OSError as exc:
                self._data = b""
                self.not_analysed = f"unreadable: {exc.strerror}"
                self.diagnostics.append(
                    Diagnostic(kind="skipped", path=self.path, message=f"unreadable: {exc.strerror}")
                )
        return self._data

    @property
    def text(self) -> str:
        """The file as text, as its reader sees it; every repair is a located diagnostic.

        Ruby: the text ends where Ruby stops reading (:func:`ruby_script_end`); NUL bytes
        inside its literals are blanked. ERB and JavaScript: NUL bytes are blanked (ERB
        text is output, and a template renders past them). Other files: a few NUL bytes
        in UTF-8 text are blanked; otherwise NUL bytes mark a binary file (no text).
        Invalid UTF-8 is replaced; a code file that is mostly undecodable is not text.
        """
        if self._text is None:
            raw = self.data
            if self.kind == "ruby":
                raw = self._as_ruby_reads_it(raw)
            elif b"\x00" in raw:
                if self.kind == "other" and _looks_binary(raw):
                    self.binary = True
                    self._text = ""
                    self.diagnostics.append(
                        Diagnostic(kind="skipped", path=self.path, message="binary file (NUL bytes)")
                    )
                    return self._text
                line = raw[: raw.index(b"\x00")].count(b"\n") + 1
                nuls = raw.count(b"\x00")
                self.diagnostics.append(Diagnostic(
                    kind="encoding", path=self.path, line=line,
                    message=f"{nuls} NUL byte(s), the first at line {line}; "
                            "blanked, and the whole file analysed"))
                raw = raw.translate(_BLANK_NUL)
            try:
                self._text = raw.decode("utf-8")
                self._utf8 = raw  # the text's UTF-8 is the file itself: no re-encoding
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                self._text = raw.decode("utf-8", errors="replace")
                if self.kind in CODE_KINDS and _undecodable(self._text):
                    self.binary = True
                    self._text = ""
                    self.not_analysed = "not text: most of it is not valid UTF-8"
                    self.diagnostics.append(Diagnostic(
                        kind="skipped", path=self.path, line=line,
                        message="not text: more than a quarter of it is not valid UTF-8; "
                                "not analysed"))
                    return self._text
                self.diagnostics.append(
                    Diagnostic(
                        kind="encoding",
                        path=self.path,
                        line=line,
                        message="invalid UTF-8; undecodable bytes replaced",
                    )
                )
        return self._text

    def _as_ruby_reads_it(self, raw: bytes) -> bytes:
        """``raw`` up to where Ruby stops reading it, with control bytes in literals blanked.

        When what Ruby would read does not parse (a NUL in the middle of a method: the
        file cannot load), nothing is cut: the whole file is analysed, so a NUL byte can
        never hide the code after it.
        """
        if _RUBY_EOF.search(raw) is None:
            return raw
        end = ruby_script_end(raw)
        if end is not None:
            line = raw[:end].count(b"\n") + 1
            column = end - (raw.rfind(b"\n", 0, end) + 1) + 1
            at = f"{_EOF_NAMES[raw[end]]} byte at line {line}, column {column}"
            rest = raw[end + 1:].translate(_BLANK_EOF).strip()
            prefix = raw[:end].translate(_BLANK_EOF)
            if rest and treeutil.parse("ruby", prefix).root_node.has_error:
                self.diagnostics.append(Diagnostic(
                    kind="encoding", path=self.path, line=line,
                    message=f"{at} ends the file for Ruby in the middle of its code (what Ruby "
                            "reads does not parse); the whole file is analysed, NUL bytes blanked"))
                return raw.translate(_BLANK_EOF)
            after = (f"; the {len(rest)} byte(s) after it are never read by Ruby and not analysed"
                     if rest else "")
            self.diagnostics.append(Diagnostic(
                kind="encoding", path=self.path, line=line,
                message=f"{at}: Ruby stops reading the file there, so the content before it is "
                        f"analysed{after}"))
            raw = raw[:end]
        inside = _RUBY_EOF.search(raw)
        if inside is not None:
            line = raw[: inside.start()].count(b"\n") + 1
            self.diagnostics.append(Diagnostic(
                kind="encoding", path=self.path, line=line,
                message=f"NUL/^D/^Z byte(s) inside comments or literals from line {line}: content "
                        "to Ruby, blanked for parsing"))
            raw = raw.translate(_BLANK_EOF)
        return raw

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
    def erb_comments(self) -> list[tuple[int, int]]:
        """Byte spans of the template's ``<%# ... %>`` comments (ERB only)."""
        if self.kind != "erb":
            return []
        if self._erb_comments is None:
            self._split_erb()
        return self._erb_comments or []

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
        comments: list[tuple[int, int]] = []
        for node in template.root_node.children:
            if node.type == "comment_directive":
                comments.append((node.start_byte, node.end_byte))
            if node.type not in ("directive", "output_directive"):
                continue
            opener = node.children[0] if node.children else None
            # The ERB grammar has no fields: the tag's Ruby is its child of type ``code``.
            code = next((c for c in node.children if c.type == "code"), None)
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
        self._erb_comments = comments

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
