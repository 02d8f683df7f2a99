"""Placing every service's replicas onto the pools' nodes without over-committing a GPU.

Each replica needs a number of GPU units on one node: one MIG slice or one time-sliced share
when the model fits in it, otherwise N whole GPUs (tensor parallelism within the node, pipeline
stages where N is not a power of two). Services are placed largest first; each goes to the
pool where it wastes the least memory and still fits, and its replicas are spread over nodes,
each to the node with the least room that still holds it (best fit). Capacity is reserved for `replicas.max`.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from allmende.blueprints.capacity.sizing import memory_need
from allmende.blueprints.gpus import unit_memory_gb, units_per_gpu
from allmende.blueprints.schema import Blueprint, NodePool, Service

USABLE = 0.92  # share of a GPU's memory the runtime may fill (vLLM's gpu_memory_utilization)
HOURS_PER_MONTH = 730.0
UTILISATION = {True: 0.25, False: 0.5}  # expected GPU utilisation: scale-to-zero or not


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServicePlacement(Frozen):
    service: str
    pool: str | None
    memory_gb: float | None  # needed per replica (sized services)
    units: int  # nvidia.com/gpu units per replica
    replicas: int
    nodes: list[str]
    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    gpu_fraction: float  # physical GPUs per replica
    energy_kwh_month: float


class PoolUsage(Frozen):
    """GPUs used, memory utilisation of the used GPUs, and fragmentation: the share of free
    units stranded on partly used nodes (0 when all free capacity sits on empty nodes)."""

    pool: str
    gpus_total: int
    gpus_used: int
    units_total: int
    units_used: int
    memory_needed_gb: float
    utilisation: float
    fragmentation: float
    lower_bound: int


class CapacityPlan(Frozen):
    placements: list[ServicePlacement]
    pools: list[PoolUsage]
    unplaced: dict[str, str]  # service -> why

    def placement(self, service: str) -> ServicePlacement | None:
        return next((p for p in self.placements if p.service == service), None)

    @property
    def gpus_used(self) -> int:
        return sum(p.gpus_used for p in self.pools)

    @property
    def lower_bound(self) -> int:
        return sum(p.lower_bound for p in self.pools)


def _shape(service: Service, pool: NodePool) -> tuple[int, float, str] | None:
    """(units per replica, memory allocated per replica, why not) for a service on a pool."""
    if pool.gpu is None:
        return None
    unit_mem = unit_memory_gb(pool)
    if service.gpus != "auto":
        if pool.sharing.mode != "exclusive" and service.gpus > 1:
            return None
        return service.gpus, service.gpus * unit_mem, ""
    need = memory_need(service)
    assert need is not None  # the schema requires `size` for auto-sized services
    if pool.sharing.mode == "mig":
        return (1, unit_mem, "") if need.total_gb <= unit_mem * USABLE else None
    if pool.sharing.mode == "time-slicing":
        shares = math.ceil(need.total_gb / (unit_mem * USABLE))
        return (shares, shares * unit_mem, "") if shares <= units_per_gpu(pool) else None
    gpus = math.ceil(need.total_gb / (pool.gpu.memory_gb * USABLE))
    return (gpus, gpus * unit_mem, "") if gpus <= pool.gpu.per_node else None


def _needs_gpu(service: Service) -> bool:
    return service.gpus == "auto" or service.gpus > 0


def _parallelism(units: int, pool: NodePool) -> tuple[int, int]:
    if pool.sharing.mode != "exclusive" or units <= 1:
        return 1, 1
    tensor = units & -units  # the largest power of two dividing the GPU count
    return tensor, units // tensor


def _names(pool: NodePool) -> list[str]:
    return list(pool.node_names) or [f"{pool.name}-{i}" for i in range(pool.nodes)]


def _fit(free: dict[str, int], units: int, replicas: int) -> list[str] | None:
    """Best-fit nodes for `replicas` replicas of `units` units; None if they do not all fit."""
    trial = dict(free)
    chosen: list[str] = []
    for _ in range(replicas):
        candidates = [n for n, f in trial.items() if f >= units]
        if not candidates:
            return None
        # spread replicas over nodes first (a node failure takes one replica), then best fit
        node = min(candidates, key=lambda n: (chosen.count(n), trial[n], n))
        trial[node] -= units
        chosen.append(node)
    return chosen


def plan_capacity(blueprint: Blueprint) -> CapacityPlan:
    pools = {p.name: p for p in blueprint.cluster.pools}
    free = {p.name: dict.fromkeys(_names(p), p.gpu.per_node * units_per_gpu(p) if p.gpu else 0) for p in pools.values()}
    placements: list[ServicePlacement] = []
    unplaced: dict[str, str] = {}
    memory: dict[str, float] = dict.fromkeys(pools, 0.0)

    def size_key(service: Service) -> tuple[float, str]:
        need = memory_need(service)
        fixed = 0 if service.gpus == "auto" else service.gpus * 80
        return (-(need.total_gb if need else fixed), service.name)

    scale_default = blueprint.rules.scale_to_zero
    for service in sorted(blueprint.serving.services, key=size_key):
        replicas = service.replicas.max
        scale_to_zero = service.scale_to_zero if service.scale_to_zero is not None else scale_default
        if not _needs_gpu(service):
            placements.append(
                ServicePlacement(
                    service=service.name,
                    pool=service.pool,
                    memory_gb=None,
                    units=0,
                    replicas=replicas,
                    nodes=[],
                    gpu_fraction=0.0,
                    energy_kwh_month=0.0,
                )
            )
            continue
        need = memory_need(service)
        candidates = [pools[service.pool]] if service.pool else [p for p in pools.values() if p.gpu]
        options = []
        for pool in candidates:
            shape = _shape(service, pool)
            if shape is not None:
                units, allocated, _ = shape
                waste = allocated - (need.total_gb if need else allocated)
                options.append((waste, pool.name, units))
        placed = False
        for _, pool_name, units in sorted(options):
            nodes = _fit(free[pool_name], units, replicas)
            if nodes is None:
                continue
            pool = pools[pool_name]
            for node in nodes:
                free[pool_name][node] -= units
            tensor, pipeline = _parallelism(units, pool)
            fraction = units / units_per_gpu(pool)
            assert pool.gpu is not None
            energy = fraction * pool.gpu.power_watts * UTILISATION[bool(scale_to_zero)] * HOURS_PER_MONTH / 1000
            memory[pool_name] += replicas * (need.total_gb if need else units * unit_memory_gb(pool))
            placements.append(
                ServicePlacement(
                    service=service.name,
                    pool=pool_name,
                    memory_gb=round(need.total_gb, 2) if need else None,
                    units=units,
                    replicas=replicas,
                    nodes=nodes,
                    tensor_parallel=tensor,
                    pipeline_parallel=pipeline,
                    gpu_fraction=round(fraction, 4),
                    energy_kwh_month=round(energy * replicas, 1),
                )
            )
            placed = True
            break
        if not placed:
            unplaced[service.name] = _why(service, candidates, need.total_gb if need else None, bool(options))
    usage = [_usage(pools[name], free[name], memory[name]) for name in pools if pools[name].gpu]
    return CapacityPlan(placements=sorted(placements, key=lambda p: p.service), pools=usage, unplaced=unplaced)


def _why(service: Service, candidates: list[NodePool], need_gb: float | None, shaped: bool) -> str:
    where = ", ".join(p.name for p in candidates) or "no GPU pool"
    if not shaped:
        needs = f"{need_gb:.1f} GB per replica" if need_gb is not None else f"{service.gpus} GPUs per replica"
        return f"needs {needs}, more than one node of {where} offers"
    return f"{service.replicas.max} replica(s) do not fit in the free GPUs of {where}"


def _usage(pool: NodePool, free: dict[str, int], memory_gb: float) -> PoolUsage:
    assert pool.gpu is not None
    per_node = pool.gpu.per_node * units_per_gpu(pool)
    used_by_node = {node: per_node - f for node, f in free.items()}
    gpus_used = sum(math.ceil(used / units_per_gpu(pool)) for used in used_by_node.values())
    total_free = sum(free.values())
    stranded = sum(f for node, f in free.items() if used_by_node[node] > 0)
    fragmentation = 0.0 if total_free == 0 else stranded / total_free
    return PoolUsage(
        pool=pool.name,
        gpus_total=pool.gpu.per_node * pool.nodes,
        gpus_used=gpus_used,
        units_total=per_node * pool.nodes,
        units_used=sum(used_by_node.values()),
        memory_needed_gb=round(memory_gb, 1),
        utilisation=round(memory_gb / (gpus_used * pool.gpu.memory_gb), 3) if gpus_used else 0.0,
        fragmentation=round(fragmentation, 3),
        lower_bound=math.ceil(memory_gb / pool.gpu.memory_gb - 1e-9),
    )
