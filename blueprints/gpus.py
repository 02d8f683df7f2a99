"""GPU units: what a pool offers once sharing is applied (whole GPUs, time-slices, MIG slices)."""

from __future__ import annotations

import re

from allmende.blueprints.schema import NodePool

# MIG slices of one GPU per compute-slice size (NVIDIA's A100/H100 geometry).
MIG_SLICES_PER_GPU = {1: 7, 2: 3, 3: 2, 4: 1, 7: 1}
_MIG = re.compile(r"^(?:all-)?(\d)g\.(\d+)gb$")


def mig_geometry(profile: str) -> tuple[int, int]:
    """(slices per GPU, memory per slice in GB) of a MIG profile such as `all-1g.10gb`."""
    match = _MIG.match(profile)
    if match is None or int(match.group(1)) not in MIG_SLICES_PER_GPU:
        raise ValueError(f"unknown MIG profile {profile!r}: use e.g. all-1g.10gb, all-2g.20gb, all-3g.40gb")
    return MIG_SLICES_PER_GPU[int(match.group(1))], int(match.group(2))


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
    """Memory behind one unit (a time-slice shares the whole GPU's memory, without isolation)."""
    if pool.gpu is None:
        return 0.0
    if pool.sharing.mode == "mig":
        return float(mig_geometry(pool.sharing.profile or "")[1])
    return float(pool.gpu.memory_gb)
