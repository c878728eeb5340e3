"""Scaffold a rule: the module with the documented docstring shape, and the rubric entry to add.

Usage: python scripts/new_rule.py RG606 dimension-folder kebab-name "One-line summary."
Example: python scripts/new_rule.py RG606 hotwire turbo-frame-without-id "A turbo_frame_tag has no id."

Writes src/rubygrade/checks/<folder>/rgNNN_snake_name.py and prints the rubric entry to paste
into rules/rubric.toml (the rubric is edited by hand so weights stay a reviewed decision).
Regenerate the docs afterwards with: python scripts/generate_docs.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = {"1": "DELIVERABLES", "2": "RUBYLLM", "3": "TESTS", "4": "ERRORS", "5": "PERSISTENCE",
              "6": "HOTWIRE", "7": "ARCHITECTURE", "8": "PRODUCTION"}

TEMPLATE = '''"""{rule_id}: {summary}"""

from __future__ import annotations

from rubygrade.checks.base import Rule
from rubygrade.context import Context
from rubygrade.models import Dimension, Severity


class {class_name}(Rule):
    """{summary}

    ## What it does
    TODO: what the rule looks for, and what it deliberately ignores.

    ## Why is this bad?
    TODO: what goes wrong at runtime or for the user.

    ## Example
    ```ruby app/services/chat_service.rb
    # TODO: the whole file with the bad pattern (tests/rules/test_doc_examples.py runs it)
    ```

    Use instead:
    ```ruby app/services/chat_service.rb
    # TODO: the file fixed
    ```
    """

    id = "{rule_id}"
    name = "{name}"
    dimension = Dimension.{dimension}
    severity = Severity.WARNING

    def check(self, ctx: Context) -> None:
        raise NotImplementedError("{rule_id}: write the check")
'''


def main(argv: list[str]) -> int:
    if len(argv) != 4 or not re.fullmatch(r"RG[1-8]\d\d", argv[0]) \
            or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", argv[2]):
        print(__doc__, file=sys.stderr)
        return 2
    rule_id, folder, name, summary = argv
    module = ROOT / "src" / "rubygrade" / "checks" / folder / f"rg{rule_id[2:]}_{name.replace('-', '_')}.py"
    if module.exists() or list(module.parent.glob(f"rg{rule_id[2:]}_*.py")):
        print(f"{rule_id} already exists in {module.parent}", file=sys.stderr)
        return 1
    module.parent.mkdir(parents=True, exist_ok=True)
    class_name = "".join(part.capitalize() for part in name.split("-"))
    module.write_text(TEMPLATE.format(rule_id=rule_id, summary=summary.rstrip(".") + ".",
                                      class_name=class_name, name=name,
                                      dimension=DIMENSIONS[rule_id[2]]), encoding="utf-8")
    print(f"wrote {module.relative_to(ROOT)}")
    print(f'add to rules/rubric.toml:\n[rules.{rule_id}]\npoints = -1\ncap = -1\nwhy = "{summary}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
