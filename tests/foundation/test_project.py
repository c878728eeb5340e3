"""Project model: app root detection, file listing, skipped trees, symlinks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from rubygrade.project import Limits, ProjectError, load_project

from .helpers import MINIMAL_APP, write_tree


def test_app_at_root(tmp_path: Path) -> None:
    project = load_project(write_tree(tmp_path, MINIMAL_APP))
    assert project.app_dir == ""
    assert project.is_rails and not project.nested
    assert "app/controllers/application_controller.rb" in project.files


def test_app_one_folder_down_is_found_and_marked_nested(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"myapp/{k}": v for k, v in MINIMAL_APP.items()})
    write_tree(tmp_path, {"README.md": "# outer\n"})
    project = load_project(tmp_path)
    assert project.app_dir == "myapp"
    assert project.nested
    assert project.get("config/application.rb") is not None
    assert project.app_relative("myapp/app/x.rb") == "app/x.rb"
    assert project.app_relative("README.md") is None


def test_gemfile_beside_app_folder_counts_as_rails(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Gemfile": "gem 'rails'\n", "app/models/x.rb": "class X; end\n"})
    assert load_project(tmp_path).app_dir == ""


def test_not_a_rails_repo(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.py": "print(1)\n", "lib/x.rb": "puts 1\n"})
    project = load_project(tmp_path)
    assert project.app_dir is None and not project.is_rails


@pytest.mark.parametrize("bad", ["does/not/exist", "file"])
def test_bad_paths_raise_project_error(tmp_path: Path, bad: str) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ProjectError):
        load_project(tmp_path / bad)


def test_vendored_and_generated_trees_are_skipped(tmp_path: Path) -> None:
    skipped = ["node_modules/x/index.js", "vendor/bundle/ruby/3.4.0/gems/a/lib/a.rb", "tmp/cache/x.rb",
               "log/development.log", "coverage/index.html", "public/assets/app.js",
               "app/assets/builds/application.css", ".git/config"]
    write_tree(tmp_path, {**MINIMAL_APP, **{p: "x\n" for p in skipped}, "vendor/keep.rb": "1\n"})
    project = load_project(tmp_path)
    for path in skipped:
        assert path not in project.files, path
    assert "vendor/keep.rb" in project.files


def test_symlink_leaving_the_repository_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.rb": "KEY = 1\n", "dir/inner.rb": "x\n"})
    repo = write_tree(tmp_path / "repo", MINIMAL_APP)
    os.symlink(outside / "secret.rb", repo / "app/leak.rb")
    os.symlink(outside / "dir", repo / "app/linked_dir")
    os.symlink(repo / "app", repo / "app/loop")
    project = load_project(repo)
    assert "app/leak.rb" not in project.files
    assert not any(p.startswith("app/linked_dir") for p in project.files)
    assert not any(p.startswith("app/loop/loop") for p in project.files)
    assert any(d.path == "app/leak.rb" and "leaves the repository" in d.message
               for d in project.diagnostics)


def test_git_work_tree_lists_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {**MINIMAL_APP, ".gitignore": "secret.txt\n",
                                 "secret.txt": "x", "untracked.rb": "x = 1\n"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "Gemfile", "config", "app", ".gitignore"],
                   check=True)
    project = load_project(repo)
    assert project.is_git
    assert "untracked.rb" in project.files
    assert "secret.txt" not in project.files
    assert "Gemfile" in project.files


def test_file_over_size_limit_is_a_diagnostic(tmp_path: Path) -> None:
    write_tree(tmp_path, {**MINIMAL_APP, "app/models/big.rb": "x = 1\n" * 1000})
    project = load_project(tmp_path, Limits(max_file_bytes=100))
    assert project.files["app/models/big.rb"].kind == "other"
    assert any(d.kind == "limit" and d.path == "app/models/big.rb" for d in project.diagnostics)


def test_file_count_limit_is_a_diagnostic(tmp_path: Path) -> None:
    write_tree(tmp_path, {**MINIMAL_APP, **{f"app/models/m{i}.rb": "1\n" for i in range(20)}})
    project = load_project(tmp_path, Limits(max_files=5))
    assert len(project.files) == 5
    assert any(d.kind == "limit" for d in project.diagnostics)


def test_gems_are_read_from_lockfile_and_gemfile(tmp_path: Path) -> None:
    write_tree(tmp_path, {**MINIMAL_APP, "Gemfile.lock":
                          "GEM\n  remote: https://rubygems.org/\n  specs:\n    ruby_llm (1.14.1)\n"
                          "      faraday (>= 1.10.0)\n\nDEPENDENCIES\n  ruby_llm (~> 1.14)\n"})
    project = load_project(tmp_path)
    assert project.gem_version("ruby_llm") == "1.14.1"
    assert project.gemfile is not None
    assert project.gemfile.find("ruby_llm").requirements == ("~> 1.14",)


def test_oversized_file_in_a_nested_app_is_never_parsed(tmp_path: Path) -> None:
    write_tree(tmp_path, {**{f"myapp/{k}": v for k, v in MINIMAL_APP.items()},
                          "myapp/app/javascript/controllers/huge_controller.js": "x;\n" * 300,
                          "myapp/app/javascript/controllers/big_controller.js": "x;\n" * 100,
                          "myapp/app/javascript/controllers/ok_controller.js": "x;\n",
                          "myapp/docs/big.rb": "x = 1\n" * 100})
    project = load_project(tmp_path, Limits(max_file_bytes=100))
    # over the hard ceiling (8 x the limit): never parsed, and reported as code not analysed
    assert project.files["myapp/app/javascript/controllers/huge_controller.js"].kind == "other"
    assert "myapp/app/javascript/controllers/huge_controller.js" in project.unanalysed_code()
    # app code over the limit but under the ceiling is parsed anyway; docs are not code
    assert project.files["myapp/app/javascript/controllers/big_controller.js"].kind == "javascript"
    assert project.files["myapp/app/javascript/controllers/ok_controller.js"].kind == "javascript"
    assert project.files["myapp/docs/big.rb"].kind == "other"
    assert list(project.unanalysed_code()) == ["myapp/app/javascript/controllers/huge_controller.js"]
