"""One audit: load the stack, read the cluster, judge, and append the dated record to the log."""

from __future__ import annotations

import getpass
import hashlib
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from allmende.audit import checks, drift, evidence, live, registry
from allmende.audit.results import Result, counts, exit_code, ordered, summary
from allmende.audit.snapshot import Snapshot
from allmende.audit.target import kubeconfig_for
from allmende.blueprints.loader import load
from allmende.blueprints.schema import Blueprint
from allmende.models.lock import ModelsLock
from allmende.modules.types import Plan
from allmende.planning import lock_of, plan_loaded
from allmende.policies.evaluate import active_exception


@dataclass(frozen=True)
class Audit:
    record: dict[str, Any]
    results: list[Result]
    log: Path

    @property
    def exit_code(self) -> int:
        return int(self.record["exit_code"])


def plan_hash(plan: Plan) -> str:
    return "sha256:" + hashlib.sha256(evidence.canonical(plan.model_dump(mode="json")).encode()).hexdigest()


def with_exceptions(bp: Blueprint, results: list[Result], today: date) -> list[Result]:
    """A failure the blueprint lifts with an unexpired, approved exception is an exception, not a failure."""
    out: list[Result] = []
    for r in results:
        exc = active_exception(bp, r.control, r.service, today) if r.status == "not-met" else None
        if exc is None:
            out.append(r)
        else:
            note = f" (exception until {exc.expires}, approved by {exc.approver}: {exc.reason})"
            out.append(r.model_copy(update={"status": "exception", "message": r.message + note}))
    return out


def judge(
    bp: Blueprint,
    plan: Plan,
    lock: ModelsLock | None,
    snap: Snapshot,
    today: date,
    fetch: registry.Fetch | None = None,
) -> list[Result]:
    """Every result of one audit: drift, the cluster checks and the registry (read through `fetch`,
    or over MLflow's REST API when it is None)."""
    found = drift.drift(plan.objects(), snap)
    found += checks.run(checks.Inputs(bp, plan, lock, snap))
    found += registry.registry_results(lock, bp.rules, fetch)
    return ordered(with_exceptions(bp, found, today))


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def make_record(stack: str, plan: Plan, snap: Snapshot, results: list[Result], now: datetime) -> dict[str, Any]:
    return {
        "format": evidence.FORMAT,
        "stack": stack,
        "sector": plan.sector,
        "date": now.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "by": who(),
        "cluster": snap.cluster.model_dump(),
        "plan_hash": plan_hash(plan),
        "summary": summary(results),
        "counts": counts(results),
        "exit_code": exit_code(results),
        "results": [r.model_dump() for r in results],
    }


def audit(stack: str, kubeconfig: Path | None = None, context: str | None = None, now: datetime | None = None) -> Audit:
    """Audit `stack`'s cluster and append the record to its evidence log."""
    moment = now or datetime.now(UTC)
    loaded = load(stack)
    plan = plan_loaded(loaded, moment.date())
    lock = lock_of(loaded)
    path, ctx = kubeconfig_for(loaded.blueprint.cluster, loaded.source, kubeconfig, context)
    api, context_name = live.connect(path, ctx)
    try:
        snap = live.snapshot(api, context_name, plan.objects())
    finally:
        api.close()
    results = judge(loaded.blueprint, plan, lock, snap, moment.date())
    record = make_record(loaded.name, plan, snap, results, moment)
    log = evidence.log_path(loaded.name)
    sealed = evidence.append(log, record)
    return Audit(sealed, results, log)
