"""`rubygrade --help` and each command's help read like Ruff's: a short description,
`Usage:`, grouped options, examples in the epilog."""

from __future__ import annotations

import pytest

from rubygrade.cli import main

COMMANDS = ("grade", "check", "rule", "rescore", "batch", "catalogue", "help")


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_top_level_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys, "--help")
    assert out.startswith("Usage: rubygrade [OPTIONS] <COMMAND>\n\nrubygrade: grade an AI-generated")
    commands = out.split("Commands:\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in commands] == list(COMMANDS)
    assert all(line.split(None, 1)[1][0].isupper() for line in commands)  # each has a description
    assert "-V, --version" in out and "--debug" in out
    assert "For help with a specific command, see: `rubygrade help <command>`." in out
    assert _help(capsys, "help") == out


@pytest.mark.parametrize(("command", "groups"), [
    ("grade", ["Arguments:", "Options:", "Output:", "Rule selection:", "Configuration:",
               "Gates (exit code 1):", "Limits:", "Log levels:", "Examples:"]),
    ("check", ["Arguments:", "Options:", "Output:", "Rule selection:", "Configuration:", "Log levels:",
               "Examples:"]),
    ("rule", ["Arguments:", "Options:", "Examples:"]),
    ("rescore", ["Arguments:", "Output:", "Gates (exit code 1):", "Examples:"]),
    ("batch", ["Arguments:", "Output:", "Execution:", "Log levels:", "Examples:"]),
])
def test_command_help_is_grouped_with_examples(capsys: pytest.CaptureFixture[str], command: str,
                                               groups: list[str]) -> None:
    out = _help(capsys, command, "--help")
    assert out.startswith(f"Usage: rubygrade {command} [OPTIONS]")
    positions = [out.index(f"\n{group}\n") for group in groups]
    assert positions == sorted(positions), groups
    examples = out.split("Examples:\n")[1]
    assert all(line.startswith("  rubygrade ") for line in examples.strip().splitlines()
               if line.startswith("  "))
    assert "-h, --help" in out and "Print help" in out
    assert _help(capsys, "help", command) == out


def test_grade_help_shows_the_new_flags(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys, "grade", "--help")
    for flag in ("--select RULES", "--ignore RULES", "--baseline REPORT", "--config FILE", "--statistics",
                 "-q, --quiet", "--color WHEN", "--show-source", "-o, --output FILE", "--exit-zero",
                 "-f, --format FORMAT", "--fail-under N", "--min-tier TIER"):
        assert flag in out, flag
