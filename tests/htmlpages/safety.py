"""What a rendered page may contain: only the templates' own elements, attributes and links."""

from __future__ import annotations

import re
from importlib import resources
from urllib.parse import unquote

from .dom import Document, parse

# Every element and attribute the templates write (the JavaScript adds <button> at run time).
TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "nav", "section", "footer",
    "h1", "h2", "h3", "p", "span", "b", "strong", "code", "pre", "a", "div", "article", "ul", "li",
    "table", "caption", "thead", "tbody", "tr", "th", "td", "svg", "rect", "form", "label", "input",
    "script",
}
ATTRS = {
    "lang", "charset", "name", "content", "http-equiv", "class", "id", "href", "rel", "title",
    "role", "aria-label", "aria-labelledby", "aria-live", "viewbox", "preserveaspectratio", "x", "y",
    "width", "height", "scope", "data-sort", "data-value", "data-tier", "data-rank", "type", "value",
    "checked", "hidden", "colspan",
}
TOKEN = re.compile(r"^[a-z0-9-]+$")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
RELATIVE_PAGE = re.compile(r"^(\.\./)?[A-Za-z0-9._%-]+(/[A-Za-z0-9._%-]+)?\.html$")


def asset(name: str) -> str:
    return resources.files("rubygrade.render").joinpath("templates", name).read_text(encoding="utf-8")


def _scheme_of(href: str) -> str:
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", unquote(href)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def check_page(html: str, allowed_hosts: tuple[str, ...] = ("github.com",)) -> Document:
    """Assert ``html`` holds nothing but what the templates write; return the parsed page."""
    doc = parse(html)
    assert not doc.comments, doc.comments
    assert not doc.unbalanced, doc.unbalanced[:5]
    scripts = styles = 0
    for tag, attrs in doc.starttags:
        assert tag in TAGS, f"unexpected element <{tag}> {attrs}"
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute in <{tag} {attrs}>"
        for name, value in attrs:
            assert name in ATTRS and not name.startswith("on"), f"unexpected attribute {name}= on <{tag}>"
            if name == "class":
                assert all(TOKEN.match(t) for t in (value or "").split()), f"class {value!r}"
            if name == "id":
                assert value and TOKEN.match(value), f"id {value!r}"
            if name in ("x", "y", "width", "height"):
                assert value and NUMBER.match(value), f"{name}={value!r} on <{tag}>"
            if name == "href":
                assert value, f"empty href on <{tag}>"
                scheme = _scheme_of(value)
                assert scheme in ("", "http", "https"), f"href with scheme {scheme!r}: {value!r}"
                if scheme:
                    host = re.match(r"^https?://([^/]+)/", value)
                    assert host and host.group(1) in allowed_hosts, f"link to {value!r}"
                else:
                    assert value.startswith("#") or RELATIVE_PAGE.match(value), f"href {value!r}"
        scripts += tag == "script"
        styles += tag == "style"
    assert styles == 1 and scripts <= 1
    root = doc.root
    assert root.find("style").text == asset("page.css")
    if scripts:
        assert root.find("script").text == asset("leaderboard.js")
        assert not root.find("script").attrs
    for svg in root.find_all("svg"):
        assert svg.classes[0] == "bar" and all(not isinstance(c, str) and c.tag == "rect"
                                               for c in svg.children)
    for meta in root.find_all("meta"):
        assert meta.parent is not None and meta.parent.tag == "head"
    return doc
