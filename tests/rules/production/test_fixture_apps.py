"""Production rules on the fixture apps: committed keys, RG804's places, RG805's tie to RG501."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from annotations import app_path, app_report, check_annotations

from rubygrade.checks.base import all_rules
from rubygrade.engine import grade


def _fake_keys() -> dict[str, str]:
    """Real-looking keys, made at test time so no key-shaped literal is ever committed."""
    rng = random.Random(4578)
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return {
        "openrouter": "sk-or-v1-" + "".join(rng.choice("0123456789abcdef") for _ in range(64)),
        "anthropic": "sk-" + "ant-api03-" + "".join(rng.choice(alnum) for _ in range(80)),
        "openai": "sk-" + "proj-" + "".join(rng.choice(alnum) for _ in range(56)),
    }


@pytest.fixture(scope="module")
def secrets_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """prod_app plus committed keys in README, Dockerfile, compose, .env and a master.key."""
    root = tmp_path_factory.mktemp("secrets") / "prod_app"
    shutil.copytree(app_path("prod_app"), root)
    keys = _fake_keys()
    with (root / "README.md").open("a") as f:
        f.write(f"\n<!-- expect: RG803 -->\n    export OPENROUTER_API_KEY={keys['openrouter']}\n")
    with (root / "Dockerfile").open("a") as f:
        f.write(f"# expect: RG803\nENV ANTHROPIC_API_KEY={keys['anthropic']}\n")
    with (root / "compose.yaml").open("a") as f:
        f.write(f"      # expect: RG112, RG803\n      OPENAI_API_KEY: {keys['openai']}\n")
    (root / ".env").write_text(f"# expect-file: RG110\n# expect: RG803\n"
                               f"OPENROUTER_API_KEY={keys['openrouter']}\n")
    (root / "config" / "master.key").write_text("# expect-file: RG110, RG803\n" + "ab12" * 8 + "\n")
    return root


def test_committed_keys_are_reported_and_placeholders_are_not(secrets_app: Path) -> None:
    outcome = check_annotations(secrets_app, grade(secrets_app), {r.id for r in all_rules()})
    assert not outcome.failures, "\n".join(outcome.failures)
    assert not outcome.tolerated


def test_rg805_ties_to_process_local_state() -> None:
    rg805 = [f for f in app_report("persist_state").findings if f.rule_id == "RG805"]
    assert len(rg805) == 1 and "RG501" in rg805[0].message
    assert not [f for f in app_report("persist_cache").findings if f.rule_id == "RG805"]


def test_rg804_reports_once_per_place_and_names_the_other_leftovers() -> None:
    rg804 = [f for f in app_report("prod_app").findings if f.rule_id == "RG804"]
    assert [(f.path, f.line) for f in rg804] == [("config/application.rb", 4)]
    assert "Active Record, Action Mailer, Active Job" in rg804[0].message
    assert "config/database.yml" in rg804[0].message


def test_rg802_reports_by_what_a_skip_exposes() -> None:
    rg802 = sorted((f.path, f.line, f.confidence.value, f.severity.value, f.data.get("shape"))
                   for f in app_report("csrf_app").findings if f.rule_id == "RG802")
    assert rg802 == [
        ("app/controllers/admin/base_controller.rb", 5, "high", "error", None),
        ("app/controllers/api/preferences_controller.rb", 5, "low", "info", "api_session"),
        ("app/controllers/profiles_controller.rb", 4, "medium", "error", None),
        ("app/controllers/reports_controller.rb", 5, "medium", "error", None),
    ]
    base = next(f for f in app_report("csrf_app").findings
                if f.rule_id == "RG802" and f.path.endswith("base_controller.rb"))
    assert "1 serve HTML pages: Admin::UsersController" in base.message


def test_rg805_reports_each_one_process_setting_at_its_line() -> None:
    rg805 = sorted((f.path, f.line, f.data.get("shape"))
                   for f in app_report("workers_app").findings if f.rule_id == "RG805")
    assert rg805 == [("config/cable.yml", 9, "cable_async"),
                     ("config/environments/production.rb", 3, "job_async"),
                     ("config/environments/production.rb", 5, "memory_cache")]
    messages = {f.data["shape"]: f.message for f in app_report("workers_app").findings
                if f.rule_id == "RG805"}
    assert "app/jobs/summary_job.rb:4" in messages["cable_async"]
    assert "app/controllers/summaries_controller.rb:5" in messages["job_async"]
    assert "app/controllers/summaries_controller.rb:2" in messages["memory_cache"]


def test_cable_adapter_follows_a_yaml_merge() -> None:
    from rubygrade.analysis.settings import _cable_adapter
    from rubygrade.project import load_project

    project = load_project(app_path("workers_unused_app"))
    assert _cable_adapter(project) == ("config/cable.yml", 11, "async")
