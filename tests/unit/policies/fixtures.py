"""Building blocks for the policy tests: shipped stacks, changed in one place, judged on a fixed day."""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel

from allmende.blueprints.loader import Loaded, load
from allmende.blueprints.schema import Blueprint
from allmende.models.lock import ModelsLock
from allmende.planning import lock_of, plan
from allmende.policies.context import Context, Evidence
from allmende.policies.evaluate import make_context
from allmende.policies.load import catalogue

TODAY = date(2026, 11, 24)
TENANT = {"allmende.org/role": "tenant"}


@cache
def loaded(stack: str) -> Loaded:
    return load(stack)


def patch(model: Any, path: str, value: Any) -> Any:
    """A copy of a frozen pydantic model (or dict/list) with the value at a dotted path replaced."""
    head, _, rest = path.partition(".")
    if isinstance(model, BaseModel):
        current = getattr(model, head)
        return model.model_copy(update={head: patch(current, rest, value) if rest else value})
    if isinstance(model, dict):
        out = dict(model)
        out[head] = patch(model[head], rest, value) if rest else value
        return out
    if isinstance(model, list):
        items = list(model)
        items[int(head)] = patch(items[int(head)], rest, value) if rest else value
        return items
    raise TypeError(f"cannot patch {type(model).__name__} at {path}")


def context(
    stack: str,
    changes: dict[str, Any] | None = None,
    evidence: tuple[Evidence, ...] = (),
    lock: ModelsLock | str | None = "stack",
    today: date = TODAY,
) -> Context:
    bp: Blueprint = loaded(stack).blueprint
    for path, value in (changes or {}).items():
        bp = patch(bp, path, value)
    the_lock = lock_of(loaded(stack)) if lock == "stack" else lock
    assert not isinstance(the_lock, str)
    the_plan = plan(bp, stack, the_lock, today)
    return make_context(stack, bp, the_plan, catalogue(), today, evidence, the_lock)


def obj(kind: str, spec: dict[str, Any], labels: dict[str, str] | None = None, **meta: Any) -> dict[str, Any]:
    api = {
        "Pod": "v1",
        "Namespace": "v1",
        "Deployment": "apps/v1",
        "CronJob": "batch/v1",
        "InferenceService": "serving.kserve.io/v1beta1",
        "Ingress": "networking.k8s.io/v1",
        "Gateway": "gateway.networking.k8s.io/v1",
    }[kind]
    metadata = {"name": meta.pop("name", "x"), "namespace": meta.pop("namespace", "radiology"), **meta}
    if labels is not None:
        metadata["labels"] = labels
    return {"apiVersion": api, "kind": kind, "metadata": metadata, "spec": copy.deepcopy(spec)}


SAFE_CONTAINER = {
    "name": "app",
    "image": "ghcr.io/example/app:1.2.3",
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}


def pod(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return obj("Pod", {"containers": list(containers) or [dict(SAFE_CONTAINER)], **spec})


CHECKSUM = "sha256:" + "ab" * 32
ISVC_LABELS = {
    "allmende.org/register-id": "report-drafting",
    "allmende.org/tenant": "radiology",
    "allmende.org/service": "report-drafting",
    "allmende.org/licence": "Apache-2.0",
    "allmende.org/model-name": "mistral-7b-instruct",
    "allmende.org/model-version": "5",
    "allmende.org/risk-class": "high",
    "allmende.org/data-bearing": "true",
}
ISVC_ANNOTATIONS = {
    "allmende.org/model-card": "s3://models/2/card.md",
    "allmende.org/owner": "CMIO <ki@example.org>",
    "allmende.org/model-checksum": CHECKSUM,
}
REGION_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "topology.kubernetes.io/region", "operator": "In", "values": ["de-north"]}
                    ]
                }
            ]
        }
    }
}


def isvc(
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    **predictor: Any,
) -> dict[str, Any]:
    spec = {
        "predictor": {
            "model": {"modelFormat": {"name": "huggingface"}, "storageUri": "s3://models/2/artifacts"},
            "affinity": REGION_AFFINITY,
            **predictor,
        }
    }
    out = obj(
        "InferenceService",
        spec,
        labels=dict(ISVC_LABELS if labels is None else labels),
        name="report-drafting",
    )
    out["metadata"]["annotations"] = dict(ISVC_ANNOTATIONS if annotations is None else annotations)
    return out
