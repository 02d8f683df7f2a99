"""Fair sharing of GPUs for batch and fine-tuning jobs with Kueue (API kueue.x-k8s.io/v1beta2).

A ResourceFlavor per GPU product, a ClusterQueue per tenant with its nominal quota in one
shared cohort (borrowing and lending limits, fair-sharing weight), and a LocalQueue in each
tenant namespace. A tenant's quota is split over the GPU flavors in proportion to what each
flavor holds.
"""

from __future__ import annotations

import re
from typing import Any

from allmende.blueprints.gpus import pool_units
from allmende.blueprints.schema import Blueprint, NodePool, Tenant
from allmende.modules.gpu_cluster.nodes import GPU, POOL
from allmende.modules.labels import meta
from allmende.modules.types import Manifest

API = "kueue.x-k8s.io/v1beta2"
COMPONENT = "gpu-cluster"
CPU_FLAVOR = "cpu-memory"
LOCAL_QUEUE = "batch"


def flavor_name(product: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", product.lower()).strip("-")[:63]


def gpu_flavors(blueprint: Blueprint) -> dict[str, list[NodePool]]:
    """Flavor name -> the GPU pools of that product."""
    out: dict[str, list[NodePool]] = {}
    for pool in blueprint.cluster.pools:
        if pool.gpu is not None:
            out.setdefault(flavor_name(pool.gpu.product), []).append(pool)
    return dict(sorted(out.items()))


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split over keys in proportion to `weights` (largest remainders; sums to total)."""
    whole = sum(weights.values())
    if whole == 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def resource_flavors(blueprint: Blueprint) -> list[Manifest]:
    out: list[Manifest] = [
        {"apiVersion": API, "kind": "ResourceFlavor", "metadata": meta(CPU_FLAVOR, COMPONENT, "kueue"), "spec": {}}
    ]
    for name, pools in gpu_flavors(blueprint).items():
        product = pools[0].gpu.product if pools[0].gpu else ""
        tolerations = sorted(
            {(t.key, t.value, t.effect) for pool in pools for t in pool.taints},
        )
        spec: dict[str, Any] = {"nodeLabels": {"nvidia.com/gpu.product": product}}
        if len(pools) == 1:
            spec["nodeLabels"][POOL] = pools[0].name
        if tolerations:
            spec["tolerations"] = [{"key": k, "operator": "Equal", "value": v, "effect": e} for k, v, e in tolerations]
        out.append(
            {"apiVersion": API, "kind": "ResourceFlavor", "metadata": meta(name, COMPONENT, "kueue"), "spec": spec}
        )
    return out


def gpu_resources(blueprint: Blueprint, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """Flavor -> the tenant's nvidia.com/gpu quota there; every limit split like the nominal quota."""
    weights = {name: sum(pool_units(p) for p in pools) for name, pools in gpu_flavors(blueprint).items()}
    nominal = split(tenant.gpu.nominal, weights)
    borrowing = split(tenant.gpu.borrowing_limit, weights)
    lending = split(tenant.gpu.lending_limit, weights) if tenant.gpu.lending_limit is not None else None
    out: dict[str, dict[str, Any]] = {}
    for name in weights:
        resource: dict[str, Any] = {"name": GPU, "nominalQuota": nominal[name], "borrowingLimit": borrowing[name]}
        if lending is not None:
            resource["lendingLimit"] = min(lending[name], nominal[name])
        out[name] = resource
    return out


def cluster_queue(blueprint: Blueprint, tenant: Tenant, cohort: str) -> Manifest:
    flavors = gpu_resources(blueprint, tenant)
    groups: list[dict[str, Any]] = [
        {
            "coveredResources": ["cpu", "memory"],
            "flavors": [
                {
                    "name": CPU_FLAVOR,
                    "resources": [
                        {"name": "cpu", "nominalQuota": tenant.cpu},
                        {"name": "memory", "nominalQuota": f"{tenant.memory_gi}Gi"},
                    ],
                }
            ],
        }
    ]
    if flavors:
        groups.append(
            {
                "coveredResources": [GPU],
                "flavors": [{"name": name, "resources": [resource]} for name, resource in flavors.items()],
            }
        )
    return {
        "apiVersion": API,
        "kind": "ClusterQueue",
        "metadata": meta(tenant.name, COMPONENT, tenant.name, tenant=tenant.name),
        "spec": {
            "cohortName": cohort,
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": tenant.namespace}},
            "fairSharing": {"weight": tenant.gpu.weight},
            "preemption": {
                "reclaimWithinCohort": "Any",
                "borrowWithinCohort": {"policy": "LowerPriority"},
                "withinClusterQueue": "LowerPriority",
            },
            "resourceGroups": groups,
        },
    }


def local_queue(tenant: Tenant) -> Manifest:
    return {
        "apiVersion": API,
        "kind": "LocalQueue",
        "metadata": meta(LOCAL_QUEUE, COMPONENT, tenant.name, tenant.namespace, tenant=tenant.name),
        "spec": {"clusterQueue": tenant.name},
    }


def objects(blueprint: Blueprint, cohort: str) -> list[Manifest]:
    out = resource_flavors(blueprint)
    for tenant in blueprint.tenants:
        out += [cluster_queue(blueprint, tenant, cohort), local_queue(tenant)]
    return out
