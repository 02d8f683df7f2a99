"""Blueprints: the schema, the sector profiles, loading and merging, the capacity planner."""

from __future__ import annotations


def dev_nodes(stack: str) -> list[dict[str, object]]:
    """The simulated nodes of a stack on the local cluster (name, labels, taints, capacity)."""
    from allmende.blueprints.loader import load
    from allmende.modules.gpu_cluster.nodes import simulated_nodes

    return simulated_nodes(load(stack).blueprint)
