"""A service's register entry as an export for the Dutch Algoritmeregister (v1.0 fields).

`export` builds the entry from the Blueprint; `validate` checks an export against the
register's own field configuration (required fields, maximum lengths, permitted values),
read from `../shared/standards/algoritmeregister/v1_0.json` or a copy the caller names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from allmende.blueprints.schema import Blueprint, RegisterEntry, Service
from allmende.errors import Problem

IMPACT_TITLES = {
    "dpia": "Data Protection Impact Assessment (DPIA)",
    "fria": "Fundamentele Rechten en Algoritme Impact Assessment (FRAIA)",
}


def _oversight_text(entry: RegisterEntry) -> str:
    stop = " This role can stop the service at any time." if entry.oversight.can_stop else ""
    extra = f" {entry.oversight.description}" if entry.oversight.description else ""
    return f"Human oversight: {entry.oversight.role}.{stop}{extra}"


def _methods(bp: Blueprint, service: Service, entry: RegisterEntry) -> str:
    kind = "a large language model" if service.runtime == "huggingface" else "a statistical model"
    return (
        f"{kind.capitalize()} ({service.model.name}, registry alias {service.model.alias}), served on the "
        f"institution's own hardware. Risk class under the EU AI Act: {entry.risk_class}; "
        f"role of {bp.institution.name}: {entry.legal_role}."
    )


def export(bp: Blueprint, service: str) -> dict[str, Any]:
    """The register entry of one service, with the register's field names."""
    entry = bp.accountability.register_entries[service]
    svc = next(s for s in bp.serving.services if s.name == service)
    out: dict[str, Any] = {
        "name": entry.name,
        "description_short": " ".join(entry.description_short.split()),
        "organization": bp.institution.name,
        "status": entry.status,
        "publication_category": entry.publication_category,
        "contact_email": entry.contact_email or bp.institution.owner.contact,
        "lang": "nld",
        "standard_version": "1.0",
        "source_id": entry.source_id or service,
        "human_intervention": _oversight_text(entry),
        "methods_and_models": _methods(bp, svc, entry),
        "provider": bp.institution.name,
    }
    if entry.category:
        out["category"] = list(entry.category)
    if entry.goal:
        out["goal"] = entry.goal
    if entry.begin_date:
        out["begin_date"] = entry.begin_date
    website = entry.website or bp.institution.website
    if website:
        out["website"] = website
    if entry.lawful_basis:
        out["lawful_basis"] = entry.lawful_basis
    impact = [
        {"title": IMPACT_TITLES[kind], "link": assessment.url}
        for kind, assessment in (("dpia", entry.dpia), ("fria", entry.fria))
        if assessment is not None
    ]
    if impact:
        out["impacttoetsen_grouping"] = impact
    return dict(sorted(out.items()))


def _field_problems(name: str, value: Any, spec: dict[str, Any], at: str) -> list[Problem]:
    problems: list[Problem] = []
    limit = spec.get("max_length")
    allowed = spec.get("permitted_values")
    if spec.get("type") == "array" and isinstance(value, list):
        items = spec.get("items")
        for i, item in enumerate(value):
            if allowed is not None and item not in allowed:
                problems.append(Problem(f"{at}.{name}[{i}]", f"{item!r} is not a permitted value", "see the register"))
            if isinstance(items, dict) and isinstance(item, dict):
                for key, sub in items.items():
                    if sub.get("required") is True and not item.get(key):
                        problems.append(Problem(f"{at}.{name}[{i}].{key}", "is required", "fill it in"))
                    if key in item:
                        problems += _field_problems(key, item[key], sub, f"{at}.{name}[{i}]")
        return problems
    if not isinstance(value, str):
        return [Problem(f"{at}.{name}", f"must be text, not {type(value).__name__}", "write it as text")]
    if isinstance(limit, int) and len(value) > limit:
        problems.append(Problem(f"{at}.{name}", f"{len(value)} characters, at most {limit} allowed", "shorten it"))
    if allowed is not None and value not in allowed:
        problems.append(Problem(f"{at}.{name}", f"{value!r} is not one of {allowed}", "use a permitted value"))
    return problems


def validate(entry: dict[str, Any], config: dict[str, Any], at: str = "register") -> list[Problem]:
    """Every problem of an export against the register's field configuration."""
    fields: dict[str, Any] = config["properties"]
    problems: list[Problem] = []
    for name, spec in fields.items():
        if spec.get("required") is True and not entry.get(name):
            problems.append(Problem(f"{at}.{name}", "is required by the register", "fill it in"))
    for name, value in entry.items():
        if name not in fields:
            problems.append(Problem(f"{at}.{name}", "is not a field of the register", "remove it"))
            continue
        problems += _field_problems(name, value, fields[name], at)
    return problems


def standard_path(root: Path) -> Path:
    """Where the register's field configuration lives beside a checkout (`../shared/...`)."""
    return root.parent / "shared" / "standards" / "algoritmeregister" / "v1_0.json"


def _text(max_length: int, required: bool = False) -> dict[str, Any]:
    return {"type": "string", "max_length": max_length, "required": required}


def _enum(values: list[str], required: bool = True) -> dict[str, Any]:
    return {"type": "enum", "permitted_values": values, "required": required}


# The constraints of the register's v1.0 configuration for the fields allmende exports, so
# that the deploy check needs no file outside the package. A unit test compares this table
# with the register's own file (../shared/standards/algoritmeregister/v1_0.json).
CATEGORIES = [
    "Organisatie en bedrijfsvoering",
    "Cultuur en recreatie",
    "Economie",
    "Overheidsfinanciën",
    "Wonen",
    "Internationaal",
    "Migratie en integratie",
    "Natuur en milieu",
    "Onderwijs en wetenschap",
    "Openbare orde en veiligheid",
    "Recht",
    "Ruimte en infrastructuur",
    "Sociale zekerheid",
    "Verkeer",
    "Werk",
    "Zorg en gezondheid",
]
BUILTIN_CONFIG: dict[str, Any] = {
    "properties": {
        "name": _text(100, True),
        "description_short": _text(400, True),
        "organization": _text(100, True),
        "category": {"type": "array", "required": False, "permitted_values": CATEGORIES},
        "status": _enum(["In ontwikkeling", "In gebruik", "Buiten gebruik"]),
        "begin_date": _text(7),
        "end_date": _text(7),
        "contact_email": _text(500, True),
        "website": _text(500),
        "publication_category": _enum(["Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes"]),
        "goal": _text(2500),
        "human_intervention": _text(2500),
        "lawful_basis": _text(2500),
        "impacttoetsen_grouping": {
            "type": "array",
            "required": False,
            "items": {"title": {"type": "string", "required": True}, "link": {"type": "string", "required": True}},
        },
        "methods_and_models": _text(5000),
        "provider": _text(200),
        "lang": _enum(["nld"]),
        "standard_version": _enum(["1.0"], required=False),
        "source_id": _text(100),
    }
}
