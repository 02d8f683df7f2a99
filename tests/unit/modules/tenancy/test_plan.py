from __future__ import annotations

from typing import Any

from allmende.blueprints.loader import load
from allmende.modules.tenancy.plan import plan


def _by(objs: list[dict[str, Any]], kind: str, namespace: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] == kind and o["metadata"].get("namespace", o["metadata"]["name"]) == namespace]


def test_every_tenant_is_locked_down_with_its_gpu_share() -> None:
    bp = load("science").blueprint
    objs = plan(bp).objects
    for tenant in bp.tenants:
        (ns,) = _by(objs, "Namespace", tenant.namespace)
        assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert ns["metadata"]["labels"]["app.kubernetes.io/part-of"] == "allmende"
        (quota,) = _by(objs, "ResourceQuota", tenant.namespace)
        assert quota["spec"]["hard"]["requests.nvidia.com/gpu"] == str(tenant.gpu.nominal)
        policies = {p["metadata"]["name"]: p["spec"] for p in _by(objs, "NetworkPolicy", tenant.namespace)}
        assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        assert len(_by(objs, "LimitRange", tenant.namespace)) == 1
        bindings = {b["metadata"]["name"]: b for b in _by(objs, "RoleBinding", tenant.namespace)}
        assert [s["name"] for s in bindings["tenant-oversight"]["subjects"]] == tenant.oversight
        assert [s["name"] for s in bindings["tenant-admin"]["subjects"]] == tenant.admins


def test_oversight_can_stop_a_service_but_admins_cannot_loosen_the_rules() -> None:
    objs = plan(load("health").blueprint).objects
    roles = {r["metadata"]["name"]: r["rules"] for r in _by(objs, "Role", "radiology")}
    oversight = {
        (g, r): set(rule["verbs"])
        for rule in roles["tenant-oversight"]
        for g in rule["apiGroups"]
        for r in rule["resources"]
    }
    assert "patch" in oversight[("serving.kserve.io", "inferenceservices")]
    assert "update" in oversight[("apps", "deployments/scale")]
    admin = {
        (g, r): set(rule["verbs"])
        for rule in roles["tenant-admin"]
        for g in rule["apiGroups"]
        for r in rule["resources"]
    }
    assert admin[("networking.k8s.io", "networkpolicies")] == {"get", "list", "watch"}
    assert admin[("", "resourcequotas")] == {"get", "list", "watch"}


def test_plan_is_sorted_and_stable() -> None:
    bp = load("manufacturing").blueprint
    first, second = plan(bp), plan(bp)
    assert first == second
    kinds = [o["kind"] for o in first.objects]
    assert kinds.index("Namespace") < kinds.index("ResourceQuota")
