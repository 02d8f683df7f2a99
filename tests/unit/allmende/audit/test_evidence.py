"""The evidence log: appended, hash-chained, and any alteration is found and named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from allmende.audit import evidence
from allmende.audit.report import evidence_of, latest_evidence, live_findings, record_evidence
from allmende.audit.results import met, not_met, unknown
from allmende.errors import AllmendeError
from allmende.policies.evaluate import make_context
from allmende.policies.load import catalogue
from tests.unit.allmende.audit.live_like import stack


def record(n: int) -> dict[str, Any]:
    results = [
        met("default-deny-network", "Namespace physics", "closed by default"),
        not_met("register-labels", "InferenceService humanities/campus-chat", "missing: owner", "fix", "campus-chat"),
    ]
    return {"stack": "science", "date": f"2027-01-1{n}T10:00:00Z", "results": [r.model_dump() for r in results]}


def write_three(tmp_path: Path) -> Path:
    path = evidence.log_path("science", tmp_path)
    for n in range(3):
        evidence.append(path, record(n))
    return path


def test_records_are_chained(tmp_path: Path) -> None:
    path = write_three(tmp_path)
    records = evidence.read(path)
    assert [r["prev"] for r in records] == [evidence.GENESIS, records[0]["hash"], records[1]["hash"]]
    assert all(r["hash"] == evidence.digest(r) for r in records)
    assert evidence.verify(path) == 3
    assert path == tmp_path / "evidence" / "science.jsonl"


def test_appending_never_rewrites(tmp_path: Path) -> None:
    path = write_three(tmp_path)
    before = path.read_bytes()
    evidence.append(path, record(4))
    assert path.read_bytes().startswith(before)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_a_changed_record_is_found(tmp_path: Path) -> None:
    path = write_three(tmp_path)
    lines = _lines(path)
    changed = json.loads(lines[1])
    changed["results"][1]["status"] = "met"
    lines[1] = evidence.canonical(changed)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AllmendeError, match="line 2 was changed after it was written"):
        evidence.read(path)
    with pytest.raises(AllmendeError, match="altered"):
        evidence.append(path, record(5))


def test_a_resealed_record_breaks_the_chain_after_it(tmp_path: Path) -> None:
    path = write_three(tmp_path)
    lines = _lines(path)
    forged = json.loads(lines[1])
    forged["results"] = []
    lines[1] = evidence.canonical(evidence.seal(forged, forged["prev"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AllmendeError, match="line 3 does not follow the record before it"):
        evidence.read(path)


def test_a_removed_record_is_found(tmp_path: Path) -> None:
    path = write_three(tmp_path)
    lines = _lines(path)
    path.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(AllmendeError, match="line 2 does not follow"):
        evidence.read(path)


def test_the_report_gets_the_newest_record_per_control_and_service(tmp_path: Path) -> None:
    write_three(tmp_path)
    found = latest_evidence("science", tmp_path)
    assert [(e.control, e.service, e.date, e.passed) for e in found] == [
        ("default-deny-network", None, "2027-01-12", True),
        ("register-labels", None, "2027-01-12", False),
        ("register-labels", "campus-chat", "2027-01-12", False),
    ]
    assert latest_evidence("health", tmp_path) == []


def test_could_not_check_alone_gives_no_evidence_and_unknown_controls_are_left_out() -> None:
    results = [unknown("default-deny-network", "Namespace physics", "forbidden"), met("declared-state", "x", "ok")]
    assert evidence_of(results, "2027-01-12") == []


def test_live_findings_say_when_evidence_is_older_than_the_review_period() -> None:
    bp, plan, lock = stack("science")
    ev = record_evidence({"date": "2025-01-01T00:00:00Z", "results": [record(0)["results"][0]]}) + record_evidence(
        {"date": "2025-01-01T00:00:00Z", "results": [met("gpu-quota-per-tenant", "ResourceQuota a/b", "ok")]}
    )
    ctx = make_context("science", bp, plan, catalogue(), date(2027, 1, 15), ev, lock)
    (stale,) = live_findings(ctx, "gpu-quota-per-tenant")
    assert stale.ok is False and stale.evidence_date == "2025-01-01"
    assert f"older than the review period of {bp.rules.review_period_days} days" in stale.message
    fresh = make_context("science", bp, plan, catalogue(), date(2025, 1, 20), ev, lock)
    assert [f.ok for f in live_findings(fresh, "gpu-quota-per-tenant")] == [True]
    assert live_findings(fresh, "default-deny-network") == []  # a runtime control: judged by its runtime check
