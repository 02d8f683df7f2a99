"""GPU units: what a pool offers once sharing is applied (whole GPUs, time-slices, MIG slices)."""

from __future__ import annotations

from allmende.blueprints.schema import NodePool
from allmende.blueprints.schema.cluster import mig_geometry


def units_per_gpu(pool: NodePool) -> int:
    """Schedulable `nvidia.com/gpu` units one physical GPU of this pool advertises."""
    if pool.gpu is None:
        return 0
    if pool.sharing.mode == "time-slicing":
        return pool.sharing.replicas or 1
    if pool.sharing.mode == "mig":
        return mig_geometry(pool.sharing.profile or "")[0]
    return 1


def units_per_node(pool: NodePool) -> int:
    return 0 if pool.gpu is None else pool.gpu.per_node * units_per_gpu(pool)


def pool_units(pool: NodePool) -> int:
    """All schedulable GPU units of the pool."""
    return units_per_node(pool) * pool.nodes


def unit_memory_gb(pool: NodePool) -> float:
    """Memory behind one unit: a MIG slice's own memory, or a time-slice's fair share of its GPU.

    Time-slicing does not isolate memory; the planner reserves a fair share per unit so that the
    models sharing a GPU fit in it together.
    """
    if pool.gpu is None:
        return 0.0
    if pool.sharing.mode == "mig":
        return float(mig_geometry(pool.sharing.profile or "")[1])
    return pool.gpu.memory_gb / units_per_gpu(pool)
