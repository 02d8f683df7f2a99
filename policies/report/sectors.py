"""Per-sector values of the rules, read from the shipped profiles (never written twice)."""

from __future__ import annotations

from functools import cache
from typing import Any

from allmende.blueprints.loader import PROFILES_DIR, read_yaml
from allmende.blueprints.merge import merge_layers
from allmende.blueprints.schema import SECTORS


@cache
def sector_rules() -> dict[str, dict[str, Any]]:
    """{sector: its rules} for the shipped profiles, base profile merged in."""
    base = read_yaml(PROFILES_DIR / "base.yaml") or {}
    out: dict[str, dict[str, Any]] = {}
    for sector in SECTORS:
        layer = read_yaml(PROFILES_DIR / f"{sector}.yaml") or {}
        merged, _ = merge_layers([("profile base", base), (f"profile {sector}", layer)])
        out[sector] = dict(merged.get("rules", {}))
    return out


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def differences(parameters: list[str], own: dict[str, Any]) -> list[dict[str, str]]:
    """One row per parameter: the value in each shipped sector and in this stack."""
    rules = sector_rules()
    return [
        {"parameter": p, **{s: show(rules[s].get(p)) for s in SECTORS}, "this stack": show(own.get(p))}
        for p in parameters
    ]
