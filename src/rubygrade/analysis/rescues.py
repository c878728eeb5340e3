"""What a ``rescue`` catches, by exception class: the one place that answers it.

A handler guards an LLM call only if one of its classes can catch what the call
raises. This module knows the classes an LLM call raises (``RubyLLM::Error`` and
its subclasses, transport errors) and the classes that certainly do not come
from one, and judges a rescue list by them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rubygrade.analysis import Facts

#: Exceptions an LLM call can raise that are not RubyLLM's own (transport, timeouts).
TRANSPORT_ERRORS = ("Faraday::", "Timeout::Error", "Net::", "SocketError", "Errno::ECONN",
                    "OpenSSL::", "HTTP::", "HTTParty::", "OpenAI::", "Anthropic::")
#: Exceptions that certainly do not come from an LLM call.
UNRELATED_ERRORS = ("ActiveRecord::", "ActiveModel::", "ActionController::", "ActionView::",
                    "JSON::ParserError", "ArgumentError", "KeyError", "NoMethodError",
                    "TypeError", "NameError", "ZeroDivisionError", "IndexError",
                    "Errno::ENOENT", "ActiveSupport::MessageVerifier", "Psych::",
                    "URI::InvalidURIError", "FrozenError", "RangeError", "Encoding::")


def is_typed_llm(name: str) -> bool:
    name = name.removeprefix("::")
    return name.startswith(("RubyLLM::", *TRANSPORT_ERRORS))


class RescueModel:
    """Judges rescue lists against the errors an LLM call raises."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def catches_llm(self, exceptions: tuple[str, ...], blanket: bool, dynamic: bool) -> bool:
        if blanket or dynamic:
            return True
        return any(not e.removeprefix("::").startswith(UNRELATED_ERRORS) for e in exceptions)
