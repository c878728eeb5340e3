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
