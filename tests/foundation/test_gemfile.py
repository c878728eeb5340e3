"""Gemfile.lock and Gemfile parsing, without evaluating either."""

from __future__ import annotations

from rubygrade import treeutil
from rubygrade.gemfile import parse_gemfile, parse_lockfile

LOCK_RAILS_APP = """\
GEM
  remote: https://rubygems.org/
  specs:
    actioncable (8.1.1)
      actionpack (= 8.1.1)
    faraday (2.13.4)
      faraday-net_http (>= 2.0, < 3.5)
      json
    nokogiri (1.18.9-aarch64-linux-gnu)
      racc (~> 1.4)
    nokogiri (1.18.9-arm64-darwin)
      racc (~> 1.4)
    nokogiri (1.18.9-x86_64-linux-gnu)
      racc (~> 1.4)
    ruby_llm (1.14.1)
      base64
      event_stream_parser (~> 1)
      faraday (>= 1.10.0)
      ruby_llm-schema (~> 0.2.1)
    sqlite3 (2.7.3-x86_64-linux-gnu)
    zeitwerk (2.7.3)

PLATFORMS
  aarch64-linux-gnu
  arm64-darwin
  x86_64-linux-gnu

DEPENDENCIES
  brakeman
  rails (~> 8.1.1)
  ruby_llm (~> 1.14)
  tailwindcss-rails!

RUBY VERSION
   ruby 3.4.7p58

BUNDLED WITH
   2.6.9
"""

LOCK_WITH_GIT_SOURCE = """\
GIT
  remote: https://github.com/crmne/ruby_llm.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: main
  specs:
    ruby_llm (1.15.0)
      faraday (>= 1.10.0)

GEM
  remote: https://rubygems.org/
  specs:
    faraday (2.13.4)

PLATFORMS
  ruby

DEPENDENCIES
  ruby_llm!
"""

LOCK_OLD_RUBY_OPENAI = """\
GEM
  remote: https://rubygems.org/
  specs:
    ruby-openai (7.3.1)
      event_stream_parser (>= 0.3.0, < 2.0.0)
      faraday (>= 1)
    rails (7.1.5.1)

PLATFORMS
  x86_64-darwin-23

DEPENDENCIES
  rails (~> 7.1.5)
  ruby-openai

BUNDLED WITH
   2.5.11
"""


def test_lockfile_versions_platform_suffixes_are_stripped() -> None:
    lock = parse_lockfile(LOCK_RAILS_APP)
    assert lock.version_of("ruby_llm") == "1.14.1"
    assert lock.version_of("nokogiri") == "1.18.9"
    assert lock.version_of("sqlite3") == "2.7.3"
    assert lock.version_of("racc") is None  # only a dependency line, never a spec
    assert lock.platforms == ["aarch64-linux-gnu", "arm64-darwin", "x86_64-linux-gnu"]
    assert lock.dependencies["ruby_llm"] == "~> 1.14"
    assert lock.dependencies["brakeman"] is None
    assert "tailwindcss-rails" in lock.dependencies
    assert lock.ruby_version == "3.4.7"
    assert lock.bundler_version == "2.6.9"


def test_lockfile_git_source_counts() -> None:
    lock = parse_lockfile(LOCK_WITH_GIT_SOURCE)
    assert lock.version_of("ruby_llm") == "1.15.0"
    assert lock.version_of("faraday") == "2.13.4"


def test_lockfile_without_ruby_llm() -> None:
    lock = parse_lockfile(LOCK_OLD_RUBY_OPENAI)
    assert lock.version_of("ruby_llm") is None
    assert lock.version_of("ruby-openai") == "7.3.1"


def test_garbage_lockfile_gives_empty_result() -> None:
    lock = parse_lockfile("\x00\x01 not a lock (file)\n    weird (\n")
    assert lock.gems == {}


def test_gemfile_declarations_groups_and_ruby_version() -> None:
    source = b'''source "https://rubygems.org"
ruby "3.4.7"
gem "rails", "~> 8.1.1"
gem "ruby_llm", ">= 1.2", "< 2"
if ENV["X"]
  gem "conditional"
end
group :development, :test do
  gem "brakeman", require: false
end
gem name_from_variable
'''
    gemfile = parse_gemfile(treeutil.parse("ruby", source).root_node)
    assert gemfile.ruby_version == "3.4.7"
    assert gemfile.find("ruby_llm").requirements == (">= 1.2", "< 2")
    assert gemfile.find("ruby_llm").line == 4
    assert gemfile.find("brakeman").groups == ("development", "test")
    assert "conditional" in gemfile.names()
    assert len(gemfile.gems) == 4
