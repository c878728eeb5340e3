"""Version resolution: lockfile, Gemfile requirement, override, newest."""

from __future__ import annotations

import pytest

from rubygrade.catalogue.store import (
    available_versions,
    parse_requirement,
    resolve_version,
    satisfies,
    version_key,
)


def test_versions_sorted_semantically():
    versions = available_versions()
    assert versions == sorted(versions, key=version_key)
    assert versions.index("1.9.2") < versions.index("1.10.0")


def test_lockfile_exact():
    r = resolve_version(locked="1.14.1")
    assert (r.version, r.source, r.note) == ("1.14.1", "lockfile", None)


def test_lockfile_uncatalogued_uses_nearest_lower():
    r = resolve_version(locked="1.14.7")
    assert r.version == "1.14.1" and r.source == "lockfile"
    assert "1.14.7" in r.note and "1.14.1" in r.note
    newer = resolve_version(locked="2.3.0")
    assert newer.version == "1.16.0" and newer.note


def test_lockfile_older_than_all():
    r = resolve_version(locked="0.1.0")
    assert r.version == "1.0.0" and r.note


def test_gemfile_requirements():
    assert resolve_version(gemfile_requirement="~> 1.14").version == "1.16.0"
    assert resolve_version(gemfile_requirement="~> 1.14.0").version == "1.14.1"
    assert resolve_version(gemfile_requirement="'>= 1.2', '< 1.4'").version == "1.3.1"
    assert resolve_version(gemfile_requirement=">= 1.2, < 2").version == "1.16.0"
    r = resolve_version(gemfile_requirement="1.3.0")
    assert (r.version, r.source) == ("1.3.0", "gemfile")
    none = resolve_version(gemfile_requirement="~> 3.0")
    assert none.version == "1.16.0" and none.note


def test_newest_and_override():
    assert resolve_version().version == "1.16.0"
    assert resolve_version().source == "newest"
    r = resolve_version(locked="1.14.1", override="1.2.0")
    assert (r.version, r.source) == ("1.2.0", "override")
    with pytest.raises(ValueError, match="available: 1.0.0"):
        resolve_version(override="9.9.9")


def test_requirement_parsing():
    assert parse_requirement("~> 1.14, != 1.15.0") == [("~>", "1.14"), ("!=", "1.15.0")]
    assert satisfies("1.14.1", [("~>", "1.14")])
    assert not satisfies("2.0.0", [("~>", "1.14")])
    with pytest.raises(ValueError):
        parse_requirement("banana")
