"""Accountability: the catalogue's admission controls, planned for one stack.

Plans the ValidatingAdmissionPolicies (CEL) with one binding each (Deny for mandatory
controls, Warn/Audit where the catalogue or the sector says so), the params ConfigMap with
the sector's values in a namespace of its own, egress allowlists built only from declared
external providers, and a read-only ClusterRole for auditors. Default-deny network policies,
Pod Security labels and GPU quotas are the tenancy module's (the deploy checks verify them).
"""

from __future__ import annotations

from collections.abc import Iterator

from allmende.blueprints.schema import Blueprint, Provider
from allmende.modules.labels import SERVICE, meta
from allmende.modules.tenancy.plan import POD_SECURITY
from allmende.modules.types import Manifest, ModulePlan
from allmende.policies.admission import params
from allmende.policies.admission.generate import COMPONENT, admission_objects
from allmende.policies.checks.declarations import is_address
from allmende.policies.load import catalogue

AUDITOR = "allmende-auditor"
READ = ["get", "list", "watch"]
AUDITOR_RULES = [
    {
        "apiGroups": [""],
        "resources": [
            "configmaps",
            "events",
            "limitranges",
            "namespaces",
            "nodes",
            "persistentvolumeclaims",
            "pods",
            "resourcequotas",
            "serviceaccounts",
            "services",
        ],
        "verbs": READ,
    },
    {"apiGroups": ["apps"], "resources": ["daemonsets", "deployments", "replicasets", "statefulsets"], "verbs": READ},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"], "verbs": READ},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": READ},
    {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["clusterrolebindings", "clusterroles", "rolebindings", "roles"],
        "verbs": READ,
    },
    {"apiGroups": ["kueue.x-k8s.io"], "resources": ["clusterqueues", "localqueues", "resourceflavors"], "verbs": READ},
    {
        "apiGroups": ["admissionregistration.k8s.io"],
        "resources": ["validatingadmissionpolicies", "validatingadmissionpolicybindings"],
        "verbs": READ,
    },
    {
        "apiGroups": ["serving.kserve.io"],
        "resources": ["inferenceservices", "servingruntimes", "clusterservingruntimes"],
        "verbs": READ,
    },
    {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["gateways", "httproutes"], "verbs": READ},
]


def namespace(stack: str) -> Manifest:
    more = {**POD_SECURITY, "allmende.org/role": "system"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(params.NAMESPACE, COMPONENT, stack, more=more)}


def auditor_role(stack: str) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": meta(AUDITOR, COMPONENT, stack),
        "rules": AUDITOR_RULES,
    }


def _egress(provider: Provider, service: str, ns: str, stack: str) -> Manifest:
    blocks = [
        {"ipBlock": {"cidr": host if "/" in host else _single(host)}} for host in provider.hosts if is_address(host)
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(
            f"egress-{provider.name}-{service}"[:63].rstrip("-"), COMPONENT, stack, ns, provider=provider.name
        ),
        "spec": {
            "podSelector": {"matchLabels": {SERVICE: service}},
            "policyTypes": ["Egress"],
            "egress": [{"to": blocks, "ports": [{"port": 443, "protocol": "TCP"}]}],
        },
    }


def _single(host: str) -> str:
    return f"{host}/128" if ":" in host else f"{host}/32"


def egress_policies(bp: Blueprint, stack: str) -> Iterator[Manifest]:
    """One allow rule per declared provider and service, only where the sector allows egress."""
    if bp.rules.external_egress == "none" or bp.rules.external_providers == "denied":
        return
    tenants = {t.name: t.namespace for t in bp.tenants}
    services = {s.name: s for s in bp.serving.services}
    for provider in bp.accountability.providers:
        if not any(is_address(h) for h in provider.hosts):
            continue
        for service in sorted(provider.services):
            if service in services:
                yield _egress(provider, service, tenants[services[service].tenant], stack)


def plan(blueprint: Blueprint) -> ModulePlan:
    stack = blueprint.sector  # the app.kubernetes.io/instance of every object
    objects = [
        namespace(stack),
        auditor_role(stack),
        *admission_objects(catalogue(), blueprint, stack),
        *egress_policies(blueprint, stack),
    ]
    return ModulePlan(module=COMPONENT, objects=objects).sorted()
