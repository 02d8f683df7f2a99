"""Model serving: operators (managed or preinstalled), runtimes, InferenceServices, routes.

Services are planned only from the models lock: a service whose model has no locked version
yet is listed in `pending` and gets no InferenceService (`allmende models lock` resolves it).
"""

from __future__ import annotations

import datetime as dt

from allmende import versions
from allmende.blueprints.capacity import plan_capacity
from allmende.blueprints.schema import Blueprint
from allmende.models.lock import ModelsLock
from allmende.modules.labels import DOMAIN, meta
from allmende.modules.model_serving.inference import inference_service
from allmende.modules.model_serving.routes import gateway, routes
from allmende.modules.model_serving.runtimes import RUNTIMES, cluster_serving_runtime
from allmende.modules.model_serving.storage import credentials, service_account
from allmende.modules.tenancy.plan import POD_SECURITY
from allmende.modules.types import ChartRelease, Manifest, ManifestBundle, ModulePlan, SecretSpec, pinned_chart

COMPONENT = "model-serving"


def operators(bp: Blueprint) -> tuple[list[ChartRelease], list[ManifestBundle]]:
    charts: list[ChartRelease] = []
    bundles: list[ManifestBundle] = []
    ops = bp.operators
    if ops.gateway_api == "managed":
        pin = versions.CHARTS["gateway-api"]
        bundles.append(ManifestBundle(name="gateway-api", version=pin.version, url=pin.source))
    if ops.cert_manager == "managed":
        charts.append(pinned_chart("cert-manager", "cert-manager", {"crds": {"enabled": True}}))
    if ops.kserve == "managed":
        charts.append(pinned_chart("kserve-crd", "kserve", {}))
        controller = {
            "deploymentMode": "Standard",
            "gateway": {"domain": bp.serving.domain, "ingressGateway": {"enableGatewayApi": True}},
        }
        charts.append(pinned_chart("kserve-resources", "kserve", {"kserve": {"controller": controller}}))
    return charts, bundles


def namespace(bp: Blueprint) -> Manifest:
    name = bp.serving.namespace
    more = {**POD_SECURITY, f"{DOMAIN}/role": "serving"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, COMPONENT, name, more=more)}


def plan(bp: Blueprint, lock: ModelsLock | None = None, today: dt.date | None = None) -> ModulePlan:
    today = today or dt.date.today()
    capacity = plan_capacity(bp)
    used = sorted({s.runtime for s in bp.serving.services})
    objects: list[Manifest] = [namespace(bp), gateway(bp), *[cluster_serving_runtime(r) for r in used if r in RUNTIMES]]
    served: set[str] = set()
    for service in bp.serving.services:
        locked = lock.for_service(service.name) if lock else None
        placement = capacity.placement(service.name)
        if locked is None or placement is None:
            continue
        objects.append(inference_service(bp, service, placement, locked, today))
        served.add(service.name)
    objects += routes(bp, served)
    secrets: list[SecretSpec] = []
    for tenant in bp.tenants:
        if any(s.tenant == tenant.name and s.name in served for s in bp.serving.services):
            objects.append(service_account(tenant))
            if (secret := credentials(bp, tenant)) is not None:
                secrets.append(secret)
    charts, bundles = operators(bp)
    return ModulePlan(module=COMPONENT, objects=objects, charts=charts, bundles=bundles, secrets=secrets).sorted()


def pending(bp: Blueprint, lock: ModelsLock | None) -> list[str]:
    """Services without a locked model version (no InferenceService is planned for them)."""
    return [s.name for s in bp.serving.services if lock is None or lock.for_service(s.name) is None]
