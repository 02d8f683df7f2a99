"""One InferenceService per service, from the models lock and the capacity plan.

The predictor runs the locked version (its pinned storageUri); a version newer than the one
served stands beside it as a named canary with its traffic share until it is promoted. GPU
requests come from the capacity planner, placement from the pool's label and taints. The
payload logger is off unless a declared, unexpired exception allows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allmende.blueprints.capacity import ServicePlacement, memory_need
from allmende.blueprints.exceptions import active_exception
from allmende.blueprints.schema import Blueprint, NodePool, RegisterEntry, Service
from allmende.models.lock import CanaryVersion, LockedModel
from allmende.modules import labels as keys
from allmende.modules.gpu_cluster.nodes import GPU, POOL, REGION
from allmende.modules.labels import meta
from allmende.modules.model_serving.runtimes import SECURITY, model_format, runtime_name
from allmende.modules.model_serving.storage import SERVICE_ACCOUNT
from allmende.modules.types import Manifest

API = "serving.kserve.io/v1beta1"
COMPONENT = "model-serving"
PAYLOAD_LOGGING = "payload-logging-denied"
LICENCE_TAG = "allmende.licence"
MODEL_CARD_TAG = "allmende.model_card"


def _scale_to_zero(bp: Blueprint, service: Service) -> bool:
    wanted = service.scale_to_zero if service.scale_to_zero is not None else bp.rules.scale_to_zero
    return bool(wanted) and not service.critical


def _resources(service: Service, placement: ServicePlacement) -> dict[str, Any]:
    need = memory_need(service)
    memory = f"{max(8, int((need.weights_gb if need else 0) * 1.2) + 8)}Gi" if need else "2Gi"
    requests: dict[str, Any] = {"cpu": "2" if placement.units else "500m", "memory": memory}
    limits: dict[str, Any] = {"cpu": "8" if placement.units else "2", "memory": memory}
    if placement.units:
        requests[GPU] = str(placement.units)
        limits[GPU] = str(placement.units)
    return {"requests": requests, "limits": limits}


def _args(service: Service, placement: ServicePlacement) -> list[str]:
    if service.runtime != "huggingface" or service.size is None:
        return []
    return [
        f"--max-model-len={service.size.context}",
        f"--max-num-seqs={service.size.concurrency}",
        f"--tensor-parallel-size={placement.tensor_parallel}",
        f"--pipeline-parallel-size={placement.pipeline_parallel}",
        "--gpu-memory-utilization=0.92",
    ]


def _model(service: Service, placement: ServicePlacement, storage_uri: str) -> dict[str, Any]:
    model: dict[str, Any] = {
        "modelFormat": model_format(service.runtime),
        "runtime": runtime_name(service.runtime),
        "storageUri": storage_uri,
        "protocolVersion": "v2" if service.runtime == "mlserver" else "v1",
        "resources": _resources(service, placement),
        "securityContext": SECURITY,
    }
    if args := _args(service, placement):
        model["args"] = args
    return model


def _placement_spec(pool: NodePool | None) -> dict[str, Any]:
    if pool is None:
        return {}
    spec: dict[str, Any] = {"nodeSelector": {POOL: pool.name}}
    if pool.taints:
        spec["tolerations"] = [
            {"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect} for t in pool.taints
        ]
    return spec


def _residency(bp: Blueprint, entry: RegisterEntry | None) -> dict[str, Any]:
    """Data-bearing workloads (personal data, or every workload under strict residency) may only
    run on nodes in the institution's data regions."""
    if bp.rules.residency != "strict" and not (entry and entry.personal_data):
        return {}
    term = {"key": REGION, "operator": "In", "values": sorted(bp.institution.data_regions)}
    required = {"nodeSelectorTerms": [{"matchExpressions": [term]}]}
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}


def _pod_security() -> dict[str, Any]:
    return {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def predictor(
    bp: Blueprint, service: Service, placement: ServicePlacement, storage_uri: str, today: dt.date
) -> dict[str, Any]:
    pool = next((p for p in bp.cluster.pools if p.name == placement.pool), None)
    spec: dict[str, Any] = {
        "model": _model(service, placement, storage_uri),
        "minReplicas": 0 if _scale_to_zero(bp, service) else max(service.replicas.min, 1),
        "maxReplicas": service.replicas.max,
        "securityContext": _pod_security(),
        "automountServiceAccountToken": False,
        "serviceAccountName": SERVICE_ACCOUNT,
        **_placement_spec(pool),
        **_residency(bp, bp.accountability.register_entries.get(service.name)),
    }
    logger = service.payload_logger
    if logger is not None and active_exception(bp, PAYLOAD_LOGGING, service.name, today) is not None:
        spec["logger"] = {"mode": logger.mode, "url": logger.url}
    return spec


def _canary(
    bp: Blueprint, service: Service, placement: ServicePlacement, canary: CanaryVersion, today: dt.date
) -> dict[str, Any]:
    stable = predictor(bp, service, placement, canary.storage_uri, today)
    fixed = {k: v for k, v in stable.items() if k not in ("minReplicas", "maxReplicas")}
    # canaries run with fixed replicas: no autoscaling range
    return {
        "predictor": {**fixed, "name": f"v{canary.version}", "minReplicas": max(service.replicas.min, 1)},
        "trafficPercent": canary.traffic_percent,
    }


def _owner(bp: Blueprint, entry: RegisterEntry | None) -> str:
    contact = (entry.contact_email if entry else None) or bp.institution.owner.contact
    return f"{bp.institution.owner.role} <{contact}>"


def inference_service(
    bp: Blueprint, service: Service, placement: ServicePlacement, locked: LockedModel, today: dt.date
) -> Manifest:
    entry = bp.accountability.register_entries.get(service.name)
    tenant = bp.tenant(service.tenant)
    promoted = locked.canary is not None and locked.canary.traffic_percent == 100
    serving = locked.canary if promoted and locked.canary is not None else locked
    tags = serving.tags
    label_values = {
        keys.REGISTER_ID: service.name,
        keys.TENANT: tenant.name,
        keys.SERVICE: service.name,
        keys.LICENCE: tags.get(LICENCE_TAG, "unknown"),
        keys.MODEL_NAME: locked.model[:63],
        keys.MODEL_VERSION: serving.version,
        keys.RISK_CLASS: entry.risk_class if entry else "unknown",
        keys.DATA_BEARING: "true" if entry and entry.personal_data else "false",
    }
    metadata = meta(service.name, COMPONENT, service.name, tenant.namespace, more=label_values)
    metadata["annotations"] = {
        keys.CHECKSUM: serving.checksum,
        keys.MODEL_CARD: tags.get(MODEL_CARD_TAG, ""),
        keys.OWNER: _owner(bp, entry),
        "serving.kserve.io/deploymentMode": "Standard",
    }
    if _scale_to_zero(bp, service):
        metadata["annotations"]["serving.kserve.io/autoscalerClass"] = "keda"
    if bp.cluster.kind == "local":
        # the local cluster runs no KServe controller: nothing would ever mark the service Ready
        metadata["annotations"]["pulumi.com/skipAwait"] = "true"
    else:
        metadata["annotations"]["pulumi.com/waitFor"] = "condition=Ready"
    spec: dict[str, Any] = {"predictor": predictor(bp, service, placement, serving.storage_uri, today)}
    if locked.canary is not None and not promoted:
        spec["canary"] = [_canary(bp, service, placement, locked.canary, today)]
    return {"apiVersion": API, "kind": "InferenceService", "metadata": metadata, "spec": spec}
