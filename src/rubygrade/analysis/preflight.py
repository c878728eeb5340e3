"""Where does the app check for a missing API key before calling the model? (RG404, evidence)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rubygrade.lazyregex import lazy_compile

if TYPE_CHECKING:
    from rubygrade.brief import Brief
    from rubygrade.project import Project

_KEY = r"(?:ENV\[\s*['\"]\w*API_KEY['\"]\s*\]|ENV\.fetch\(\s*['\"]\w*API_KEY['\"][^)]*\)" \
       r"|\w*api_key\b|\w*API_KEY\b|credentials\.\w*api_key\w*|\bconfigured\?)"
_PATTERNS = [
    # ENV["X_API_KEY"].present? / api_key.blank? / .nil? / .empty?
    re.compile(_KEY + r"\s*(?:\.to_s)?\s*&?\.\s*(?:present\?|blank\?|nil\?|empty\?)"),
    # if/unless api_key / return ... unless ENV["..."]
    re.compile(r"\b(?:if|unless)\s+!?\s*" + _KEY),
    # ENV.fetch("X_API_KEY") { raise "friendly" } / ENV.fetch("X", nil) || raise
    re.compile(r"ENV\.fetch\(\s*['\"]\w*API_KEY['\"]\s*\)\s*(?:\{|do\b)"),
    re.compile(r"ENV\.key\?\(\s*['\"]\w*API_KEY['\"]\s*\)"),
    # before_action :ensure_api_key / :require_api_key! / :check_llm_configured
    re.compile(r"before_action\s+:\w*(?:api_key|configured|credentials)\w*[!?]?"),
]


#: The key checked must be the LLM provider's (a Clearbit key check is not a preflight).
_LLM_KEY = lazy_compile(r"openrouter|open_?ai|anthropic|gemini|deepseek|mistral|llm|\bai_", re.I)
_TOGGLE = re.compile(r"^\s*config\.\w+\s*=")


def find_preflight(project: Project, brief: Brief) -> tuple[str, int, str] | None:
    """(path, line, text) of the first API-key preflight in app code, or None."""
    for path, source in sorted(project.files.items()):
        if source.kind not in ("ruby", "erb") or not project.is_runtime(path):
            continue
        text = source.text
        if "api_key" not in text.lower() and "configured?" not in text:
            continue
        for number, line in enumerate(source.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            if _TOGGLE.match(line) or not any(p.search(line) for p in _PATTERNS):
                continue
            if _LLM_KEY.search(line) or brief.api_key_env in line or \
                    "RubyLLM" in text and "api_key" in line and "ENV" not in line:
                return path, number, stripped
    return None
