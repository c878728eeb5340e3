"""The JSON contract: the Report model, keys in a fixed order, byte-identical across runs."""

from __future__ import annotations

import json

from rubygrade.models import Report


def to_dict(report: Report) -> dict[str, object]:
    return report.model_dump(mode="json")


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
