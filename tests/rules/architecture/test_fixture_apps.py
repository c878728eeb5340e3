"""Architecture on the fixture apps: LLM logic in services and partials are recorded as evidence."""

from __future__ import annotations

from annotations import app_report


def test_service_objects_and_partials_are_recorded_as_evidence() -> None:
    evidence = [e for e in app_report("arch_app").evidence if e.dimension.value == "architecture"]
    assert {(e.kind, e.path) for e in evidence} == {
        ("service_objects", "app/services/responder.rb"),
        ("partials", "app/views/messages/_message.html.erb")}
