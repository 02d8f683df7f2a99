"""Tenancy: one namespace per tenant, locked down by default, with its share of the cluster.

Per tenant: a Namespace enforcing Pod Security "restricted", default-deny NetworkPolicies
(with DNS and same-namespace traffic allowed), a ResourceQuota including GPUs, a LimitRange
so that every container has requests and limits, and RBAC for the tenant's admins and for
its oversight group (which may stop a service by scaling it to zero).
"""

from __future__ import annotations

from typing import Any

from allmende.blueprints.schema import Blueprint, Tenant
from allmende.modules.labels import DOMAIN, meta
from allmende.modules.types import Manifest, ModulePlan

COMPONENT = "tenancy"
GPU = "nvidia.com/gpu"

POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}


def _meta(tenant: Tenant, name: str) -> dict[str, Any]:
    return meta(name, COMPONENT, tenant.name, tenant.namespace, tenant=tenant.name)


def namespace(tenant: Tenant) -> Manifest:
    more = {**POD_SECURITY, f"{DOMAIN}/role": "tenant"}
    m = meta(tenant.namespace, COMPONENT, tenant.name, more=more, tenant=tenant.name)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": m}


def network_policies(tenant: Tenant) -> list[Manifest]:
    deny = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(tenant, "default-deny"),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    same_namespace = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(tenant, "allow-same-namespace"),
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
            "egress": [{"to": [{"podSelector": {}}]}],
        },
    }
    dns = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(tenant, "allow-dns"),
        "spec": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                }
            ],
        },
    }
    return [deny, same_namespace, dns]


def quota(tenant: Tenant) -> Manifest:
    # Extended resources such as GPUs cannot be overcommitted, so Kubernetes quotas them
    # through `requests.` only; GPU limits always equal requests.
    hard = {
        f"requests.{GPU}": str(tenant.gpu.nominal),
        "requests.cpu": str(tenant.cpu),
        "limits.cpu": str(tenant.cpu * 2),
        "requests.memory": f"{tenant.memory_gi}Gi",
        "limits.memory": f"{tenant.memory_gi}Gi",
    }
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta(tenant, "tenant-quota"),
        "spec": {"hard": dict(sorted(hard.items()))},
    }


def limit_range(tenant: Tenant) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": _meta(tenant, "container-defaults"),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": "1", "memory": "1Gi"},
                    "defaultRequest": {"cpu": "100m", "memory": "256Mi"},
                }
            ]
        },
    }


ADMIN_RULES = [
    {
        "apiGroups": [""],
        "resources": ["configmaps", "persistentvolumeclaims", "pods", "secrets", "services", "serviceaccounts"],
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
    {
        "apiGroups": [""],
        "resources": ["pods/log", "events", "resourcequotas", "limitranges"],
        "verbs": ["get", "list", "watch"],
    },
    {
        "apiGroups": ["apps"],
        "resources": ["deployments", "statefulsets", "replicasets"],
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
    {
        "apiGroups": ["batch"],
        "resources": ["jobs", "cronjobs"],
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["serving.kserve.io"], "resources": ["inferenceservices"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["kueue.x-k8s.io"], "resources": ["localqueues", "workloads"], "verbs": ["get", "list", "watch"]},
]

OVERSIGHT_RULES = [
    {
        "apiGroups": ["serving.kserve.io"],
        "resources": ["inferenceservices"],
        "verbs": ["get", "list", "patch", "watch"],
    },
    {
        "apiGroups": ["apps"],
        "resources": ["deployments", "deployments/scale"],
        "verbs": ["get", "list", "patch", "update", "watch"],
    },
    {"apiGroups": [""], "resources": ["pods", "events"], "verbs": ["get", "list", "watch"]},
]


def rbac(tenant: Tenant) -> list[Manifest]:
    out: list[Manifest] = []
    for role, rules, groups in (
        ("tenant-admin", ADMIN_RULES, tenant.admins),
        ("tenant-oversight", OVERSIGHT_RULES, tenant.oversight),
    ):
        out.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": _meta(tenant, role),
                "rules": rules,
            }
        )
        out.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": _meta(tenant, role),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
                "subjects": [
                    {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g} for g in sorted(groups)
                ],
            }
        )
    return out


def plan(blueprint: Blueprint) -> ModulePlan:
    objects: list[Manifest] = []
    for tenant in blueprint.tenants:
        objects += [namespace(tenant), *network_policies(tenant), quota(tenant), limit_range(tenant), *rbac(tenant)]
    return ModulePlan(module=COMPONENT, objects=objects).sorted()
