"""Where rubygrade's own pages live: the project, and each rule's page at this release.

Defined once so SARIF ``helpUri``, ``rubygrade rule`` and the docs agree. A rule's
page is ``docs/rules/RGnnn.md`` at the tag ``v{version}`` that ``scripts/release.py``
creates for each release, so a link never changes under a reader.
"""

from __future__ import annotations

from rubygrade import __version__

PROJECT_URL = "https://github.com/rubygrade/rubygrade"


def release_tag(version: str = __version__) -> str:
    return f"v{version}"


def rule_doc_url(rule_id: str, version: str = __version__) -> str:
    return f"{PROJECT_URL}/blob/{release_tag(version)}/docs/rules/{rule_id}.md"
