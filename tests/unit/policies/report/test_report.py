"""The report: register exports valid against the register's own configuration, the
two-tier view, policy cards with sector values, energy, diff, and the formats."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from allmende.blueprints.schema import ExceptionDecl
from allmende.policies import register
from allmende.policies.evaluate import evaluate
from allmende.policies.report import markdown
from allmende.policies.report.build import build
from allmende.policies.report.diff import diff, render_text
from allmende.policies.report.make import render, report_data
from allmende.policies.report.sectors import sector_rules
from tests.unit.policies.fixtures import TODAY, context, loaded

STACKS = ("science", "health", "manufacturing")


@pytest.fixture(scope="module")
def register_config(shared: Path) -> dict[str, Any]:
    path = shared / "standards" / "algoritmeregister" / "v1_0.json"
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return config


@pytest.mark.parametrize("stack", STACKS)
def test_every_register_export_is_valid_against_the_register(stack: str, register_config: dict[str, Any]) -> None:
    bp = loaded(stack).blueprint
    for service in bp.accountability.register_entries:
        entry = register.export(bp, service)
        assert register.validate(entry, register_config, service) == []
        for name, spec in register_config["properties"].items():
            if spec.get("required") is True:
                assert entry.get(name), f"{service}: required field {name} is empty"


def test_an_export_that_breaks_the_register_is_reported(register_config: dict[str, Any]) -> None:
    entry = register.export(loaded("health").blueprint, "sepsis-risk")
    bad = {**entry, "name": "N" * 101, "status": "Live", "lang": "eng", "category": ["Space"], "colour": "red"}
    del bad["organization"]
    messages = " ".join(p.render() for p in register.validate(bad, register_config))
    for fragment in ("name: 101 characters", "'Live' is not one of", "'eng'", "'Space'", "colour", "organization"):
        assert fragment in messages


def test_the_built_in_register_table_matches_the_registers_file(register_config: dict[str, Any]) -> None:
    for name, spec in register.BUILTIN_CONFIG["properties"].items():
        real = register_config["properties"][name]
        for key in ("max_length", "permitted_values"):
            assert spec.get(key) == real.get(key), f"{name}.{key}"
        assert bool(spec.get("required") is True) == bool(real.get("required") is True), f"{name}.required"


def test_sector_values_come_from_the_profiles() -> None:
    rules = sector_rules()
    assert rules["health"]["payload_logging"] == "never"
    assert rules["science"]["payload_logging"] == "with-exception"
    data = report_data("health", TODAY)
    card = next(c for c in data["controls"] if c["id"] == "payload-logging-denied")
    assert card["sector_values"] == [
        {
            "parameter": "payload_logging",
            "science": "with-exception",
            "health": "never",
            "manufacturing": "with-exception",
            "this stack": "never",
        }
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_report_generation_is_fast_and_deterministic(stack: str) -> None:
    start = time.perf_counter()
    first = report_data(stack, TODAY)
    texts = [render(first, f) for f in ("html", "md", "json")]
    assert time.perf_counter() - start < 2.0
    assert texts == [render(report_data(stack, TODAY), f) for f in ("html", "md", "json")]


def test_the_summary_counts_every_control_and_service() -> None:
    data = report_data("health", TODAY)
    assert sum(data["summary"]["counts"].values()) == len(data["controls"])
    assert {s["service"] for s in data["services"]} == {"report-drafting", "sepsis-risk"}
    drafting = next(s for s in data["services"] if s["service"] == "report-drafting")
    assert drafting["atrs"]["tier1"]["who_answers"].startswith("Chief Medical Information Officer")
    assert drafting["atrs"]["tier2"]["risks_and_assessments"]["risk_class"] == "high"
    assert drafting["by_principle"]["accountable"]["date"] == "2026-08-14"  # the DPIA, the oldest evidence


def test_energy_is_estimated_per_service() -> None:
    energy = report_data("science", TODAY)["energy"]
    by = {s["service"]: s for s in energy["services"]}
    assert by["campus-chat"]["gpus_per_copy"] >= 1 and by["campus-chat"]["scales_to_zero"] is True
    assert by["galaxy-morphology"]["kwh_per_month"] == 0
    assert energy["total_kwh_per_month"] > 0 and energy["assumptions"]


def test_exceptions_show_on_the_card_and_in_the_list() -> None:
    exc = ExceptionDecl(
        control="plain-language-summary",
        services=["campus-chat"],
        reason="The summary is being rewritten with the students.",
        approver="Head of IT",
        expires="2027-03-01",
    )
    data = build(evaluate(context("science", {"accountability.exceptions": [exc]})))
    card = next(c for c in data["controls"] if c["id"] == "plain-language-summary")
    assert card["exceptions"][0]["approver"] == "Head of IT"
    assert data["exceptions"][0]["expired"] is False
    assert "Head of IT" in markdown.render(data)


def test_the_markdown_starts_with_plain_words() -> None:
    text = render(report_data("health", TODAY), "md")
    first = text.split("## What needs attention")[0]
    for jargon in ("Kubernetes", "CEL", "InferenceService", "admission"):
        assert jargon not in first
    assert "How to ask or complain" in text and "kvnord.example.org/ki/beschwerde" in text


def test_diff_shows_added_changed_relaxed_and_retired() -> None:
    old = report_data("science", TODAY)
    new = json.loads(json.dumps(old))
    card = next(c for c in new["controls"] if c["id"] == "payload-logging-denied")
    card["version"] = "1.1.0"
    card["changelog"].insert(
        0, {"version": "1.1.0", "date": "2026-12-01", "change": "Loggers allowed for tests.", "relaxes": True}
    )
    card2 = next(c for c in new["controls"] if c["id"] == "tls-ingress")
    card2["action"] = "deny"
    new["controls"].append({**card2, "id": "new-rule", "title": "A new rule"})
    new["services"] = [s for s in new["services"] if s["service"] != "galaxy-morphology"]
    new["exceptions"] = [
        {
            "control": "payload-logging-denied",
            "services": ["campus-chat"],
            "reason": "r",
            "approver": "a",
            "expires": "2027-01-01",
            "expired": False,
        }
    ]
    d = diff(old, new)
    assert [c["id"] for c in d["controls_relaxed"]] == ["payload-logging-denied"]
    assert [c["id"] for c in d["controls_changed"]] == ["tls-ingress"]
    assert [c["id"] for c in d["controls_added"]] == ["new-rule"]
    assert d["services_retired"] == ["galaxy-morphology"]
    assert d["exceptions_added"][0]["control"] == "payload-logging-denied"
    text = render_text(d)
    assert "Rules made less strict" in text and "Loggers allowed for tests." in text
    assert diff(old, old)["controls_changed"] == []
