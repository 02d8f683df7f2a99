"""Rules that span several parts of a Blueprint (references, totals, sector requirements).

Pydantic checks each part on its own; these run once the whole Blueprint is typed, and
return every problem at once, each with its dotted path and a fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from allmende.blueprints.capacity import CapacityPlan, plan_capacity
from allmende.blueprints.gpus import pool_units, units_per_gpu
from allmende.blueprints.schema import Blueprint
from allmende.errors import Problem

RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _one_of(names: Iterable[str]) -> str:
    listed = ", ".join(sorted(names))
    return f"use one of: {listed}" if listed else "declare it first"


def _unique(path: str, names: list[str], what: str) -> list[Problem]:
    return [
        Problem(f"{path}[{i}]", f"duplicate {what} {n!r}", f"give each {what} its own name")
        for i, n in enumerate(names)
        if Counter(names)[n] > 1 and names.index(n) != i
    ]


def _names(bp: Blueprint) -> list[Problem]:
    problems = _unique("cluster.pools", [p.name for p in bp.cluster.pools], "pool name")
    problems += _unique("tenants", [t.name for t in bp.tenants], "tenant name")
    problems += _unique("serving.services", [s.name for s in bp.serving.services], "service name")
    system = {bp.registry.namespace, bp.serving.namespace, *RESERVED_NAMESPACES}
    for i, tenant in enumerate(bp.tenants):
        if tenant.namespace in system:
            problems.append(
                Problem(
                    f"tenants[{i}].namespace",
                    f"namespace {tenant.namespace!r} is reserved for the system",
                    "choose a namespace of the tenant's own, e.g. its name",
                )
            )
    problems += _unique("tenants", [t.namespace for t in bp.tenants], "tenant namespace")
    return problems


def _services(bp: Blueprint) -> list[Problem]:
    problems: list[Problem] = []
    tenants = {t.name for t in bp.tenants}
    pools = {p.name: p for p in bp.cluster.pools}
    gpu_pools = sorted(n for n, p in pools.items() if p.gpu is not None)
    for i, svc in enumerate(bp.serving.services):
        at = f"serving.services[{i}]"
        if svc.tenant not in tenants:
            problems.append(Problem(f"{at}.tenant", f"unknown tenant {svc.tenant!r}", _one_of(tenants)))
        if svc.pool is not None and svc.pool not in pools:
            problems.append(Problem(f"{at}.pool", f"unknown pool {svc.pool!r}", _one_of(pools)))
        needs_gpu = svc.runtime == "huggingface" or (svc.gpus != "auto" and svc.gpus > 0)
        pool = pools.get(svc.pool or "")
        if needs_gpu and pool is not None and pool.gpu is None:
            problems.append(
                Problem(f"{at}.pool", f"pool {pool.name!r} has no GPUs but the service needs them", _one_of(gpu_pools))
            )
        if needs_gpu and not gpu_pools:
            problems.append(Problem(f"{at}.runtime", "the service needs GPUs but no pool has any", "add a GPU pool"))
        critical_min = bp.rules.critical_min_replicas
        if svc.critical and svc.replicas.min < critical_min:
            problems.append(
                Problem(
                    f"{at}.replicas.min",
                    f"a critical service keeps at least {critical_min} replica(s) in this sector, "
                    f"not {svc.replicas.min}",
                    f"set replicas.min to {critical_min} or more",
                )
            )
        if svc.scale_to_zero and svc.critical:
            problems.append(
                Problem(f"{at}.scale_to_zero", "a critical service cannot scale to zero", "remove scale_to_zero")
            )
    return problems


def _register(bp: Blueprint) -> list[Problem]:
    problems: list[Problem] = []
    services = {s.name: s for s in bp.serving.services}
    register = bp.accountability.register_entries
    for i, svc in enumerate(bp.serving.services):
        if svc.name not in register:
            problems.append(
                Problem(
                    f"serving.services[{i}]",
                    f"service {svc.name!r} has no register entry",
                    f"add accountability.register.{svc.name} with name, description_short and oversight",
                )
            )
    for name, entry in sorted(register.items()):
        at = f"accountability.register.{name}"
        if name not in services:
            problems.append(Problem(at, f"register entry for unknown service {name!r}", _one_of(services)))
            continue
        if entry.research_exemption is not None:
            if not bp.rules.research_exemption:
                problems.append(
                    Problem(
                        f"{at}.research_exemption",
                        f"the {bp.sector} sector allows no research exemption",
                        "remove research_exemption and declare the risk class",
                    )
                )
            elif services[name].exposure == "public":
                problems.append(
                    Problem(
                        f"{at}.research_exemption",
                        "a service under a research exemption must not be public",
                        "set the service's exposure to internal or institution",
                    )
                )
        if entry.dpia is None and (entry.personal_data or bp.rules.dpia == "always"):
            why = (
                "this sector requires a DPIA for every service"
                if bp.rules.dpia == "always"
                else "it processes personal data"
            )
            problems.append(Problem(f"{at}.dpia", f"a DPIA is required: {why}", "link it: url, sha256, date"))
        if entry.risk_class == "high" and entry.fria is None:
            problems.append(
                Problem(f"{at}.fria", "a high-risk service of a public body needs a FRIA", "link it: url, sha256, date")
            )
        if entry.risk_class == "prohibited":
            problems.append(
                Problem(f"{at}.risk_class", "prohibited AI practices cannot be deployed", "retire the service")
            )
    return problems


def _providers(bp: Blueprint) -> list[Problem]:
    problems: list[Problem] = []
    services = {s.name for s in bp.serving.services}
    for i, provider in enumerate(bp.accountability.providers):
        at = f"accountability.providers[{i}]"
        if bp.rules.external_providers == "denied":
            problems.append(
                Problem(at, f"external providers are denied in the {bp.sector} sector", "remove the provider")
            )
        problems += [
            Problem(f"{at}.services[{j}]", f"unknown service {s!r}", _one_of(services))
            for j, s in enumerate(provider.services)
            if s not in services
        ]
    for i, exc in enumerate(bp.accountability.exceptions):
        problems += [
            Problem(f"accountability.exceptions[{i}].services[{j}]", f"unknown service {s!r}", _one_of(services))
            for j, s in enumerate(exc.services)
            if s not in services
        ]
    return problems


def _capacity(bp: Blueprint) -> list[Problem]:
    problems: list[Problem] = []
    held = sum(pool_units(p) for p in bp.cluster.pools)
    asked = sum(t.gpu.nominal for t in bp.tenants)
    if asked > held:
        detail = "; ".join(
            f"{p.name}: {p.nodes} nodes × {p.gpu.per_node} GPUs × {units_per_gpu(p)} = {pool_units(p)}"
            for p in bp.cluster.pools
            if p.gpu is not None
        )
        problems.append(
            Problem(
                "tenants",
                f"the tenants' nominal GPU quotas add up to {asked} "
                f"but the pools hold {held} ({detail or 'no GPU pools'})",
                "lower the tenants' gpu.nominal or add GPU nodes",
            )
        )
    for i, tenant in enumerate(bp.tenants):
        if tenant.gpu.nominal + tenant.gpu.borrowing_limit > held:
            problems.append(
                Problem(
                    f"tenants[{i}].gpu.borrowing_limit",
                    f"nominal {tenant.gpu.nominal} + borrowing {tenant.gpu.borrowing_limit} "
                    f"exceeds the {held} GPUs the pools hold",
                    f"lower borrowing_limit to {max(held - tenant.gpu.nominal, 0)} or less",
                )
            )
    return problems


def _residency(bp: Blueprint) -> list[Problem]:
    if bp.rules.residency != "strict":
        return []
    allowed = bp.institution.data_regions
    return [
        Problem(
            f"cluster.pools[{i}].region",
            f"pool {pool.name!r} has region {pool.region!r}, outside the data regions"
            if pool.region
            else f"pool {pool.name!r} declares no region, but residency is strict",
            f"set it to one of: {', '.join(allowed)}",
        )
        for i, pool in enumerate(bp.cluster.pools)
        if pool.region not in allowed
    ]


def _within_quota(bp: Blueprint, capacity: CapacityPlan) -> list[Problem]:
    """A tenant's services at their maximum replicas must fit in its GPU quota."""
    problems: list[Problem] = []
    for i, tenant in enumerate(bp.tenants):
        placed = [capacity.placement(s.name) for s in bp.serving.services if s.tenant == tenant.name]
        wanted = sum(p.units * p.replicas for p in placed if p is not None)
        if wanted > tenant.gpu.nominal:
            problems.append(
                Problem(
                    f"tenants[{i}].gpu.nominal",
                    f"the tenant's services need {wanted} GPU units at their maximum replicas, "
                    f"more than its quota of {tenant.gpu.nominal}",
                    f"raise gpu.nominal to {wanted} or lower the services' replicas.max",
                )
            )
    return problems


def _fits(bp: Blueprint) -> list[Problem]:
    if any(p.path.startswith(("serving", "cluster")) for p in _services(bp)):
        return []  # placement of services that reference unknown pools is meaningless

    capacity = plan_capacity(bp)
    unplaced = capacity.unplaced
    problems = _within_quota(bp, capacity)
    return problems + [
        Problem(
            f"serving.services[{i}]",
            f"service {svc.name!r} cannot be placed: {unplaced[svc.name]}",
            "choose a pool with more GPU memory, fewer replicas, a shorter context or a quantised dtype",
        )
        for i, svc in enumerate(bp.serving.services)
        if svc.name in unplaced
    ]


CHECKS: tuple[Callable[[Blueprint], list[Problem]], ...] = (
    _names,
    _services,
    _register,
    _providers,
    _capacity,
    _residency,
    _fits,
)


def cross_check(bp: Blueprint) -> list[Problem]:
    """Every cross-part problem of the Blueprint, in a stable order."""
    return [problem for check in CHECKS for problem in check(bp)]
