"""The standard labels every planned object carries."""

from __future__ import annotations

from typing import Any

PART_OF = "allmende"
DOMAIN = "allmende.org"


def labels(component: str, instance: str, **extra: str) -> dict[str, str]:
    """app.kubernetes.io/* labels plus allmende's own (`allmende.org/<key>`)."""
    out = {
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/managed-by": "allmende",
        "app.kubernetes.io/part-of": PART_OF,
    }
    out.update({f"{DOMAIN}/{k.replace('_', '-')}": v for k, v in extra.items()})
    return dict(sorted(out.items()))


def meta(
    name: str,
    component: str,
    instance: str,
    namespace: str | None = None,
    more: dict[str, str] | None = None,
    **extra: str,
) -> dict[str, Any]:
    """Object metadata with the standard labels; `more` adds labels with full keys."""
    merged = {**labels(component, instance, **extra), **(more or {})}
    out: dict[str, Any] = {"name": name, "labels": dict(sorted(merged.items()))}
    if namespace is not None:
        out["namespace"] = namespace
    return out
