"""The per-stack parameters of the admission policies: one ConfigMap the bindings point to.

ConfigMap data holds strings only and CEL in the kube-apiserver cannot parse lists, so list
values become keys: `licence.<spdx>`, `region.<region>`, `register.<service>`,
`tenant-namespace.<namespace>`, `exception.<control>.<namespace>.<service>` (value: the
expiry date) and `trusted-registry.<n>` (value: the registry host).
"""

from __future__ import annotations

import re

from allmende.blueprints.schema import Blueprint
from allmende.errors import InvalidInput, Problem

KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
NAMESPACE = "allmende-accountability"
NAME = "allmende-policy-params"
# Controls whose admission policies honour declared exceptions.
EXCEPTABLE = ("models-from-own-storage", "payload-logging-denied")


def params_data(bp: Blueprint) -> dict[str, str]:
    rules = bp.rules
    data: dict[str, str] = {
        "sector": bp.sector,
        "payload-logging": rules.payload_logging,
        "residency": rules.residency,
        "external-egress": rules.external_egress,
    }
    for i, registry in enumerate(rules.trusted_registries):
        data[f"trusted-registry.{i}"] = registry.rstrip("/")
    for licence in rules.allowed_licences:
        data[f"licence.{licence}"] = "allowed"
    for region in bp.institution.data_regions:
        data[f"region.{region}"] = "allowed"
    namespaces = {t.name: t.namespace for t in bp.tenants}
    for tenant in bp.tenants:
        data[f"tenant-namespace.{tenant.namespace}"] = tenant.name
    services = {s.name: s for s in bp.serving.services}
    for name in bp.accountability.register_entries:
        data[f"register.{name}"] = namespaces.get(services[name].tenant, "") if name in services else ""
    for exc in bp.accountability.exceptions:
        if exc.control not in EXCEPTABLE:
            continue
        if exc.control == "payload-logging-denied" and rules.payload_logging == "never":
            continue
        for service in exc.services:
            svc = services.get(service)
            if svc is not None:
                data[f"exception.{exc.control}.{namespaces.get(svc.tenant, svc.tenant)}.{service}"] = exc.expires
    bad = [k for k in data if not KEY.match(k)]
    if bad:
        raise InvalidInput(
            "admission parameters",
            [Problem(k, "cannot be a ConfigMap key", "use only letters, digits, '-', '_' and '.'") for k in bad],
        )
    return dict(sorted(data.items()))
