"""The audit as evidence for `allmende report`: the newest record, per control, with its date.

`latest_evidence(stack)` gives the report its evidence list (the shape `--evidence FILE` has);
`live_findings(ctx, control)` turns that evidence into the report's findings for controls the
catalogue does not mark `runtime` (those are judged by `policies.checks.runtime`), and says
plainly when the newest check is older than the sector's review period.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from allmende.audit import evidence as log
from allmende.audit.results import Result
from allmende.policies.checks.runtime import RUNTIME_CHECKS
from allmende.policies.context import Context, Evidence, Finding
from allmende.policies.load import catalogue

WHAT = "check in the running cluster (allmende audit)"


def _entry(control: str, service: str | None, results: list[Result], day: str) -> Evidence | None:
    known = [r for r in results if r.status != "could-not-check"]
    if not known:
        return None
    failed = [r for r in known if r.status == "not-met"]
    shown = failed or known
    detail = "; ".join(f"{r.subject}: {r.message}" for r in shown[:3])
    if len(shown) > 3:
        detail += f"; and {len(shown) - 3} more"
    unchecked = [r for r in results if r.status == "could-not-check"]
    if unchecked:
        detail += f" (not checked: {unchecked[0].subject}: {unchecked[0].message}"
        detail += f"; and {len(unchecked) - 1} more)" if len(unchecked) > 1 else ")"
    return Evidence(control=control, service=service, date=day, passed=not failed, detail=detail)


def evidence_of(results: Iterable[Result], day: str) -> list[Evidence]:
    """Per catalogue control: one entry for the stack and one per service the results name."""
    ids = set(catalogue().ids())
    groups: dict[tuple[str, str | None], list[Result]] = {}
    for result in results:
        if result.control not in ids:
            continue
        groups.setdefault((result.control, None), []).append(result)
        if result.service is not None:
            groups.setdefault((result.control, result.service), []).append(result)
    entries = [_entry(control, service, rs, day) for (control, service), rs in groups.items()]
    return sorted((e for e in entries if e is not None), key=lambda e: (e.control, e.service or ""))


def record_evidence(record: dict[str, Any]) -> list[Evidence]:
    results = [Result.model_validate(r) for r in record.get("results", [])]
    return evidence_of(results, str(record["date"])[:10])


def latest_evidence(stack: str, root: Path | None = None) -> list[Evidence]:
    """The newest audit's evidence for `stack` (empty when it was never audited)."""
    record = log.latest(stack, root)
    return record_evidence(record) if record is not None else []


def live_findings(ctx: Context, control: str) -> list[Finding]:
    """Findings from audit evidence for a control without a runtime check of its own."""
    if control in RUNTIME_CHECKS:
        return []
    limit = ctx.blueprint.rules.review_period_days
    newest: dict[str | None, Evidence] = {}
    for e in sorted((e for e in ctx.evidence if e.control == control), key=lambda e: e.date):
        newest[e.service] = e
    out: list[Finding] = []
    for service, e in sorted(newest.items(), key=lambda item: item[0] or ""):
        age = ctx.age_days(e.date)
        if not e.passed:
            message, ok, fix = f"the {WHAT} of {e.date} found: {e.detail}", False, "correct it and audit again"
        elif age > limit:
            message = f"the last {WHAT} was on {e.date}, {age} days ago: older than the review period of {limit} days"
            ok, fix = False, f"run `allmende audit {ctx.stack}` again"
        else:
            message, ok, fix = f"met when checked in the running cluster on {e.date}", True, ""
        out.append(Finding(control, ok, message, service, "runtime", fix=fix, evidence_date=e.date))
    return out
