"""A simple energy estimate: GPU board power × assumed utilisation × hours, per service.

Deliberately plain (the capacity planner may replace the GPU counts later): the numbers are
an order of magnitude for policy makers, and the report lists the assumptions with them.
"""

from __future__ import annotations

import math
from typing import Any

from allmende.blueprints.schema import Blueprint, NodePool, Service

HOURS_PER_MONTH = 730
UTILISATION = 0.5  # share of board power drawn while a copy is running
SCALED_TO_ZERO_SHARE = 0.25  # share of hours a scale-to-zero service is assumed to run
BYTES = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
OVERHEAD = 1.2  # KV cache and runtime memory on top of the weights
ASSUMPTIONS = (
    f"A running copy draws {int(UTILISATION * 100)} % of its GPUs' typical board power.",
    f"A month has {HOURS_PER_MONTH} hours.",
    f"A service that scales to zero runs {int(SCALED_TO_ZERO_SHARE * 100)} % of the time.",
    "GPUs per copy come from the capacity plan; without one, a language model gets enough GPUs for its"
    " weights plus 20 %.",
    "CPU, memory, cooling and network are not included.",
)


def _pool(bp: Blueprint, svc: Service) -> NodePool | None:
    gpu_pools = [p for p in bp.cluster.pools if p.gpu is not None]
    if svc.pool is not None:
        return next((p for p in bp.cluster.pools if p.name == svc.pool), None)
    return gpu_pools[0] if gpu_pools else None


def gpus_of(bp: Blueprint, svc: Service) -> int:
    pool = _pool(bp, svc)
    if svc.gpus != "auto":
        return svc.gpus
    if pool is None or pool.gpu is None or svc.size is None:
        return 0
    need_gb = svc.size.parameters_b * BYTES[svc.size.dtype] * OVERHEAD
    return max(1, math.ceil(need_gb / pool.gpu.memory_gb))


def scales_to_zero(bp: Blueprint, svc: Service) -> bool:
    chosen = svc.scale_to_zero if svc.scale_to_zero is not None else bp.rules.scale_to_zero
    return chosen and not svc.critical


def planned_gpus(objects: list[dict[str, Any]]) -> dict[str, int]:
    """GPUs per copy of each planned InferenceService (the capacity planner's numbers)."""
    out: dict[str, int] = {}
    for obj in objects:
        if obj.get("kind") != "InferenceService":
            continue
        service = obj["metadata"].get("labels", {}).get("allmende.org/service", obj["metadata"]["name"])
        model = obj.get("spec", {}).get("predictor", {}).get("model", {})
        limits = model.get("resources", {}).get("limits", {})
        out[service] = int(str(limits.get("nvidia.com/gpu", 0)))
    return out


def estimate(bp: Blueprint, objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    planned = planned_gpus(objects or [])
    services: list[dict[str, Any]] = []
    for svc in bp.serving.services:
        pool = _pool(bp, svc)
        gpus = planned[svc.name] if svc.name in planned else gpus_of(bp, svc)
        watts = pool.gpu.power_watts if pool is not None and pool.gpu is not None else 0
        to_zero = scales_to_zero(bp, svc)
        copies = max(svc.replicas.min, 1) * (SCALED_TO_ZERO_SHARE if to_zero else 1.0)
        kwh = gpus * watts * UTILISATION * copies * HOURS_PER_MONTH / 1000
        services.append(
            {
                "service": svc.name,
                "gpus_per_copy": gpus,
                "board_power_watts": watts,
                "scales_to_zero": to_zero,
                "kwh_per_month": round(kwh, 1),
            }
        )
    total = round(sum(s["kwh_per_month"] for s in services), 1)
    installed = sum(p.nodes * p.gpu.per_node for p in bp.cluster.pools if p.gpu is not None)
    return {
        "services": services,
        "total_kwh_per_month": total,
        "installed_gpus": installed,
        "assumptions": list(ASSUMPTIONS),
    }
