"""Which Rules a registry command checks against: a shipped sector's, or a stack's own."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from allmende.blueprints.loader import PROFILES_DIR, load, read_yaml
from allmende.blueprints.merge import merge_layers
from allmende.blueprints.schema import SECTORS, Rules
from allmende.errors import AllmendeError


def _rules_layer(profile: str) -> dict[str, Any]:
    document = read_yaml(PROFILES_DIR / f"{profile}.yaml")
    rules = document.get("rules") if isinstance(document, dict) else None
    return rules if isinstance(rules, dict) else {}


def sector_rules(sector: str) -> Rules:
    """The rules of a shipped sector profile (base profile, then the sector's)."""
    if sector not in SECTORS:
        raise AllmendeError(f"no shipped sector named {sector!r}", fix=f"use one of: {', '.join(SECTORS)}")
    merged, _ = merge_layers([("base", _rules_layer("base")), (sector, _rules_layer(sector))])
    try:
        return Rules.model_validate(merged)
    except ValidationError as exc:  # a broken shipped profile is a bug, but say where
        raise AllmendeError(f"profile {sector}: rules invalid: {exc}") from None


def resolve(sector: str | None, stack: str | None, *, required: bool) -> tuple[str, Rules]:
    """(label, rules): a stack's rules win over a sector's; without either, the base profile's."""
    if sector and stack:
        raise AllmendeError("name either --sector or --stack, not both", fix="a stack's rules include its sector's")
    if stack:
        return f"stack {stack}", load(stack).blueprint.rules
    if sector:
        return f"sector {sector}", sector_rules(sector)
    if required:
        raise AllmendeError(
            "name the rules to check against", fix=f"add --sector ({', '.join(SECTORS)}) or --stack STACK"
        )
    merged, _ = merge_layers([("base", _rules_layer("base"))])
    return "the base profile (name --sector or --stack for a sector's rules)", Rules.model_validate(merged)
