"""What a node of each pool carries: labels, taints and capacity.

One function serves both the node patches of an existing cluster and the simulated nodes
of the local cluster, so the workloads see the same node on both.
"""

from __future__ import annotations

from allmende.blueprints.gpus import units_per_node
from allmende.blueprints.schema import Blueprint, NodePool
from allmende.modules.labels import DOMAIN

POOL = f"{DOMAIN}/pool"
REGION = "topology.kubernetes.io/region"
GPU = "nvidia.com/gpu"
DEVICE_PLUGIN_CONFIG = "nvidia.com/device-plugin.config"
MIG_CONFIG = "nvidia.com/mig.config"


def device_plugin_config_name(pool: NodePool) -> str | None:
    """The named device-plugin configuration a pool's nodes select (time-slicing only)."""
    return f"{pool.name}-time-slicing" if pool.sharing.mode == "time-slicing" else None


def pool_labels(pool: NodePool) -> dict[str, str]:
    """Labels allmende puts on a pool's nodes (the GPU Operator reads the config labels)."""
    out = {POOL: pool.name, **pool.labels}
    if pool.region:
        out[REGION] = pool.region
    if (config := device_plugin_config_name(pool)) is not None:
        out[DEVICE_PLUGIN_CONFIG] = config
    if pool.sharing.mode == "mig" and pool.sharing.profile:
        out[MIG_CONFIG] = pool.sharing.profile
    return dict(sorted(out.items()))


def discovered_labels(pool: NodePool) -> dict[str, str]:
    """Labels GPU feature discovery sets on a real GPU node (simulated on the local cluster)."""
    if pool.gpu is None:
        return {}
    out = {
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": pool.gpu.product,
        "nvidia.com/gpu.count": str(pool.gpu.per_node),
        "nvidia.com/gpu.memory": str(pool.gpu.memory_gb * 1024),
    }
    if pool.sharing.mode == "time-slicing":
        out["nvidia.com/gpu.replicas"] = str(pool.sharing.replicas)
        out["nvidia.com/gpu.sharing-strategy"] = "time-slicing"
    if pool.sharing.mode == "mig":
        out["nvidia.com/mig.strategy"] = "single"
    return out


def pool_taints(pool: NodePool) -> list[dict[str, str]]:
    return [{"key": t.key, "value": t.value, "effect": t.effect} for t in pool.taints]


def node_names(pool: NodePool) -> list[str]:
    return list(pool.node_names) or [f"{pool.name}-{i}" for i in range(pool.nodes)]


def simulated_nodes(blueprint: Blueprint) -> list[dict[str, object]]:
    """The local cluster's nodes: one per node the blueprint declares, as real ones would look."""
    nodes: list[dict[str, object]] = []
    for pool in blueprint.cluster.pools:
        capacity = {"cpu": str(pool.cpu), "memory": f"{pool.memory_gi}Gi", "pods": "110"}
        if pool.gpu is not None:
            capacity[GPU] = str(units_per_node(pool))
        for name in node_names(pool):
            nodes.append(
                {
                    "name": name,
                    "labels": {**discovered_labels(pool), **pool_labels(pool)},
                    "taints": pool_taints(pool),
                    "capacity": capacity,
                }
            )
    return nodes
