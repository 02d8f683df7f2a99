"""What a control does when it is broken, for one sector: deny, warn or audit."""

from __future__ import annotations

from allmende.blueprints.schema import Rules
from allmende.policies.schema import Action, Control


def action_for(control: Control, rules: Rules) -> Action:
    """The catalogue's action, or the action the sector's rule value selects (◆ controls)."""
    if control.action_by_rule is None:
        return control.action
    value = getattr(rules, control.action_by_rule.rule)
    return control.action_by_rule.values.get(str(value), control.action)


def admission_actions(action: Action) -> list[str]:
    """validationActions of a binding (Deny and Warn may not be combined)."""
    return {"deny": ["Deny"], "warn": ["Warn", "Audit"], "audit": ["Audit"]}[action]


def enforcement_level(action: Action) -> str:
    """The CrossGuard enforcement level of an action."""
    return "mandatory" if action == "deny" else "advisory"
