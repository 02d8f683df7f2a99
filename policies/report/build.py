"""The report as plain data: everything the Markdown, HTML and JSON formats show."""

from __future__ import annotations

from datetime import date
from typing import Any

from allmende.blueprints.schema import Blueprint
from allmende.policies import register
from allmende.policies.actions import action_for
from allmende.policies.context import Status
from allmende.policies.evaluate import Evaluation, Outcome, combined, worst
from allmende.policies.report import atrs, energy, sectors
from allmende.policies.report.words import PRINCIPLE_WORDS, STATUS_WORDS
from allmende.policies.schema import PRINCIPLES, Control, semver_key

FORMAT_VERSION = 1


def _date_of(outcomes: list[Outcome], today: date) -> str:
    """The date of the evidence: the oldest dated evidence, else the day of the check."""
    dates = [o.finding.evidence_date for o in outcomes if o.finding.evidence_date and o.status != "pending"]
    return min(dates) if dates else today.isoformat()


def _counts(statuses: list[Status]) -> dict[str, int]:
    return {s: statuses.count(s) for s in STATUS_WORDS}


def _finding(o: Outcome) -> dict[str, Any]:
    f = o.finding
    out: dict[str, Any] = {
        "service": f.service,
        "point": f.point,
        "status": o.status,
        "message": f.message,
    }
    if f.fix and o.status != "met":
        out["fix"] = f.fix
    if f.path:
        out["path"] = f.path
    if f.evidence_date:
        out["evidence_date"] = f.evidence_date
    if o.exception is not None:
        out["exception"] = o.exception.model_dump()
    return out


def card(control: Control, ev: Evaluation) -> dict[str, Any]:
    bp = ev.ctx.blueprint
    outcomes = ev.outcomes[control.id]
    exceptions = [e.model_dump() for e in bp.accountability.exceptions if e.control == control.id]
    return {
        "id": control.id,
        "version": control.version,
        "principle": control.principle,
        "title": control.title,
        "rule": control.rule,
        "why": [r.model_dump() for r in control.why],
        "protects": control.protects,
        "enforced_at": list(control.enforced_at),
        "when": control.when,
        "action": action_for(control, bp.rules),
        "sector_specific": control.sector_specific,
        "status": ev.status(control.id),
        "status_date": _date_of(outcomes, ev.ctx.today),
        "sector_values": sectors.differences(control.parameters, bp.rules.model_dump()),
        "exceptions": exceptions,
        "changelog": [
            c.model_dump() for c in sorted(control.changelog, key=lambda c: semver_key(c.version), reverse=True)
        ],
        "detail": " ".join(control.detail.split()),
        "findings": [_finding(o) for o in outcomes],
    }


def _service_summary(ev: Evaluation, service: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for principle in PRINCIPLES:
        outcomes = [
            o
            for c in ev.ctx.catalogue.by_principle(principle)
            for o in ev.outcomes[c.id]
            if o.finding.service == service
        ]
        row[principle] = {
            "status": combined([o.status for o in outcomes]) if outcomes else "met",
            "date": _date_of(outcomes, ev.ctx.today),
        }
    return row


def _services(ev: Evaluation) -> list[dict[str, Any]]:
    bp = ev.ctx.blueprint
    out: list[dict[str, Any]] = []
    for svc in bp.serving.services:
        if svc.name not in bp.accountability.register_entries:
            continue
        entry = register.export(bp, svc.name)
        by_principle = _service_summary(ev, svc.name)
        out.append(
            {
                "service": svc.name,
                "name": entry["name"],
                "status": worst(p["status"] for p in by_principle.values()),
                "by_principle": by_principle,
                "register_entry": entry,
                "register_problems": [p.render() for p in register.validate(entry, register.BUILTIN_CONFIG)],
                "atrs": atrs.two_tier(bp, svc.name),
            }
        )
    return out


def _principles(ev: Evaluation) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for principle in PRINCIPLES:
        statuses = [ev.status(c.id) for c in ev.ctx.catalogue.by_principle(principle)]
        title, meaning = PRINCIPLE_WORDS[principle]
        out.append(
            {
                "principle": principle,
                "title": title,
                "meaning": meaning,
                "status": combined(statuses),
                "counts": _counts(statuses),
            }
        )
    return out


def _contact(bp: Blueprint) -> dict[str, Any]:
    route = bp.institution.complaints
    return {
        "institution": bp.institution.name,
        "owner_role": bp.institution.owner.role,
        "owner_contact": bp.institution.owner.contact,
        "complaints_url": route.url,
        "complaints_email": route.email or "",
        "complaints_description": route.description,
        "website": bp.institution.website or "",
    }


def build(ev: Evaluation) -> dict[str, Any]:
    bp = ev.ctx.blueprint
    today = ev.ctx.today
    open_exceptions = [
        {**e.model_dump(), "expired": date.fromisoformat(e.expires) < today} for e in bp.accountability.exceptions
    ]
    cards = [card(c, ev) for c in ev.ctx.catalogue.controls]
    return {
        "format": FORMAT_VERSION,
        "stack": ev.ctx.stack,
        "sector": bp.sector,
        "date": today.isoformat(),
        "policy_version": bp.accountability.policy_version,
        "contact": _contact(bp),
        "summary": {
            "overall": combined([c["status"] for c in cards]),
            "counts": _counts([c["status"] for c in cards]),
            "principles": _principles(ev),
        },
        "services": _services(ev),
        "controls": cards,
        "exceptions": open_exceptions,
        "energy": energy.estimate(bp, ev.ctx.plan.objects()),
    }
