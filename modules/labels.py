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


# Keys the serving module puts on every InferenceService and its pods, and that the
# accountability policies (admission and audit) require.
REGISTER_ID = f"{DOMAIN}/register-id"  # label: the service's register entry (its service name)
TENANT = f"{DOMAIN}/tenant"  # label
SERVICE = f"{DOMAIN}/service"  # label
LICENCE = f"{DOMAIN}/licence"  # label: SPDX id of the served model
MODEL_NAME = f"{DOMAIN}/model-name"  # label
MODEL_VERSION = f"{DOMAIN}/model-version"  # label: registry version number
RISK_CLASS = f"{DOMAIN}/risk-class"  # label
DATA_BEARING = f"{DOMAIN}/data-bearing"  # label "true": the workload handles people's data
MODEL_CARD = f"{DOMAIN}/model-card"  # annotation: URI of the model card artefact
OWNER = f"{DOMAIN}/owner"  # annotation: accountable owner role and contact
CHECKSUM = f"{DOMAIN}/model-checksum"  # annotation: sha256 of the served artefacts
EXCEPTIONS = f"{DOMAIN}/exceptions"  # annotation: comma-separated control ids lifted by declared exceptions
