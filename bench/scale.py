"""Blueprints scaled up from a shipped stack: k times the tenants, services and nodes."""

from __future__ import annotations

from allmende.blueprints.loader import load
from allmende.blueprints.schema import Blueprint, RegisterEntry, Service, Tenant
from allmende.models.lock import LockedModel, ModelsLock


def scaled(stack: str, factor: int) -> tuple[Blueprint, ModelsLock]:
    """The stack with `factor` copies of each tenant and service, and `factor` times the nodes."""
    from allmende.planning import lock_of

    loaded = load(stack)
    bp = loaded.blueprint
    lock = lock_of(loaded)
    assert lock is not None
    tenants: list[Tenant] = []
    services: list[Service] = []
    register: dict[str, RegisterEntry] = {}
    models: list[LockedModel] = []
    for k in range(factor):
        suffix = "" if k == 0 else f"-{k}"
        for tenant in bp.tenants:
            tenants.append(
                tenant.model_copy(update={"name": tenant.name + suffix, "namespace": tenant.namespace + suffix})
            )
        for service in bp.serving.services:
            name = service.name + suffix
            services.append(service.model_copy(update={"name": name, "tenant": service.tenant + suffix}))
            register[name] = bp.accountability.register_entries[service.name]
            locked = lock.for_service(service.name)
            assert locked is not None
            models.append(locked.model_copy(update={"service": name}))
    pools = [p.model_copy(update={"nodes": p.nodes * factor, "node_names": []}) for p in bp.cluster.pools]
    grown = bp.model_copy(
        update={
            "tenants": tenants,
            "cluster": bp.cluster.model_copy(update={"pools": pools}),
            "serving": bp.serving.model_copy(update={"services": services}),
            "accountability": bp.accountability.model_copy(update={"register_entries": register}),
        }
    )
    return grown, lock.model_copy(update={"models": models})
