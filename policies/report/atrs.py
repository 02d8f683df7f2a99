"""An ATRS-style two-tier view of one service (UK Algorithmic Transparency Recording Standard):
tier 1 for everyone, tier 2 for those who want the detail."""

from __future__ import annotations

from typing import Any

from allmende.blueprints.schema import Blueprint


def two_tier(bp: Blueprint, service: str) -> dict[str, Any]:
    entry = bp.accountability.register_entries[service]
    svc = next(s for s in bp.serving.services if s.name == service)
    providers = sorted(p.name for p in bp.accountability.providers if service in p.services)
    assessments = [
        {"kind": kind.upper(), "url": a.url, "date": a.date, "sha256": a.sha256}
        for kind, a in (("dpia", entry.dpia), ("fria", entry.fria))
        if a is not None
    ]
    tier1 = {
        "name": entry.name,
        "what_it_does": " ".join(entry.description_short.split()),
        "why": entry.goal or "Not stated.",
        "who_answers": f"{bp.institution.owner.role}, {entry.contact_email or bp.institution.owner.contact}",
        "how_to_complain": bp.institution.complaints.url,
        "status": entry.status,
    }
    tier2 = {
        "owner_and_responsibility": {
            "organisation": bp.institution.name,
            "senior_responsible_owner": bp.institution.owner.role,
            "legal_role": entry.legal_role,
            "tenant": svc.tenant,
        },
        "suppliers": providers or ["none: runs on the institution's own hardware"],
        "decision_and_human_review": {
            "oversight_role": entry.oversight.role,
            "can_stop_the_service": entry.oversight.can_stop,
            "description": entry.oversight.description or "",
        },
        "data": {
            "personal_data": entry.personal_data,
            "lawful_basis": entry.lawful_basis or "none stated",
            "data_regions": list(bp.institution.data_regions),
        },
        "model": {"name": svc.model.name, "alias": svc.model.alias, "runtime": svc.runtime},
        "risks_and_assessments": {
            "risk_class": entry.risk_class,
            "research_exemption": entry.research_exemption or "",
            "eu_database_id": entry.eu_database_id or "",
            "assessments": assessments,
        },
    }
    return {"tier1": tier1, "tier2": tier2}
