"""The CrossGuard pack's configuration for one stack: the stack name for every policy and the
enforcement level its sector selects (`allmende policy config STACK`)."""

from __future__ import annotations

from typing import Any

from allmende.blueprints.schema import Blueprint
from allmende.policies.actions import action_for, enforcement_level
from allmende.policies.schema import Catalogue


def pack_config(stack: str, bp: Blueprint, catalogue: Catalogue) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for control in catalogue.controls:
        if {"deploy", "admission"} & set(control.enforced_at):
            level = enforcement_level(action_for(control, bp.rules))
            out[control.id] = {"enforcementLevel": level, "stack": stack}
    return dict(sorted(out.items()))
