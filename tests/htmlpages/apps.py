"""Repositories made from the example app for the HTML tests: ten graded variants and a hostile one."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "chatapp"

# name -> paths (relative to the app) removed from a copy of the example app
VARIANTS: dict[str, tuple[str, ...]] = {
    "chatapp": (),
    "no-dockerfile": ("Dockerfile",),
    "no-compose": ("compose.yaml",),
    "no-readme": ("README.md",),
    "no-tests": ("test",),
    "no-title-service": ("app/services/title_suggester.rb",),
    "no-partials": ("app/views/messages/_message.html.erb", "app/views/messages/_composer.html.erb"),
    "no-stimulus": ("app/javascript/controllers",),
    "no-chat-session": ("app/services/chat_session.rb", "test/services"),
    "bare": ("Dockerfile", "compose.yaml", "README.md", "test", "app/javascript",
             "app/services/chat_session.rb"),
}


def make_variant(target: Path, removed: tuple[str, ...]) -> Path:
    shutil.copytree(EXAMPLE, target)
    for rel in removed:
        path = target / rel
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return target


def make_batch(root: Path) -> Path:
    """``root`` holding the ten variants, plus a folder that is not a Rails app."""
    root.mkdir(parents=True, exist_ok=True)
    for name, removed in VARIANTS.items():
        make_variant(root / name, removed)
    (root / "notes-only").mkdir()
    (root / "notes-only" / "NOTES.txt").write_text("no app here\n", encoding="utf-8")
    return root


# Text a repository controls, aimed at every way out of an HTML text node or attribute.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</style><script>alert(4)</script>",
    "javascript:alert(5)",
    "</textarea></title><iframe src=javascript:alert(6)>",
    "<!-- --><a href=\"javascript:alert(7)\">x</a>",
    "\x1b[31m\x07\x0c\u202e\ufeff\x85",
)
# A NUL byte makes rubygrade skip a file as binary, so it is only in the report-model payloads.
MODEL_PAYLOADS = (*PAYLOADS, "nul\x00byte \ud800 lone surrogate")


def make_hostile(parent: Path) -> Path:
    """A copy of the example app whose folder, file names and contents carry HTML payloads.

    File and folder names cannot hold ``/``, so they carry the payloads that do
    not need one; file contents carry all of them.
    """
    name = '"><img src=x onerror=alert(0)><script>alert(0)<b>javascript:x'
    app = make_variant(parent / name, ())
    comment = "  # " + " ".join(p.replace("\n", " ") for p in PAYLOADS) + "\n"
    service = app / "app" / "services" / "title_suggester.rb"
    text = service.read_text(encoding="utf-8")
    # the line with the invented `response.text` call (a finding's snippet) carries every payload
    text = text.replace("response.text.strip.delete('\"')",
                        "response.text.strip.delete('\"')" + comment.rstrip("\n"), 1)
    hostile_service = app / "app" / "services" / '<script>alert(8)<img src=x onerror=alert(9)>.rb'
    hostile_service.write_text(text, encoding="utf-8")
    service.unlink()
    chats = app / "app" / "controllers" / "chats_controller.rb"
    chats.write_text(chats.read_text(encoding="utf-8") + comment, encoding="utf-8")
    # a view with raw output (RG801) in a folder whose name is a javascript: URL
    view_dir = app / "app" / "views" / "javascript:alert(10)"
    view_dir.mkdir()
    (view_dir / "\x1b[1m'onmouseover='alert(11).html.erb").write_text(
        '<%= raw params[:q] %> <%# </style><script>alert(12)</script> %>\n', encoding="utf-8")
    # an API-key preflight whose message quotes the hostile ENV name back
    initializer = app / "config" / "initializers" / "ruby_llm.rb"
    initializer.write_text(initializer.read_text(encoding="utf-8")
                           + '\n# "><script>alert(13)</script>\n', encoding="utf-8")
    # a file that is not valid UTF-8 and has control bytes (a diagnostic)
    (app / "app" / "models").mkdir(exist_ok=True)
    (app / "app" / "models" / "<b>broken<\\b>.rb").write_bytes(
        b"class Broken\n  def x(\n \xff\xfe <script>alert(14)</script>\n")
    return app
