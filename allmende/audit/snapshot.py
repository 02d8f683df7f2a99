"""What the audit saw in the cluster, as plain data: the judging functions read only this."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

Manifest = dict[str, Any]

# kind → (plural, namespaced) for every kind allmende plans or reads; other kinds are guessed
# from the planned object (plural: lower-case kind + "s"; namespaced when it has a namespace).
KINDS: dict[str, tuple[str, bool]] = {
    "ClusterQueue": ("clusterqueues", False),
    "ClusterRole": ("clusterroles", False),
    "ClusterRoleBinding": ("clusterrolebindings", False),
    "ClusterServingRuntime": ("clusterservingruntimes", False),
    "ConfigMap": ("configmaps", True),
    "CronJob": ("cronjobs", True),
    "CustomResourceDefinition": ("customresourcedefinitions", False),
    "DaemonSet": ("daemonsets", True),
    "Deployment": ("deployments", True),
    "Gateway": ("gateways", True),
    "HTTPRoute": ("httproutes", True),
    "InferenceService": ("inferenceservices", True),
    "Job": ("jobs", True),
    "LimitRange": ("limitranges", True),
    "LocalQueue": ("localqueues", True),
    "Namespace": ("namespaces", False),
    "NetworkPolicy": ("networkpolicies", True),
    "Node": ("nodes", False),
    "PersistentVolumeClaim": ("persistentvolumeclaims", True),
    "Pod": ("pods", True),
    "PriorityClass": ("priorityclasses", False),
    "ResourceFlavor": ("resourceflavors", False),
    "ResourceQuota": ("resourcequotas", True),
    "Role": ("roles", True),
    "RoleBinding": ("rolebindings", True),
    "Secret": ("secrets", True),
    "Service": ("services", True),
    "ServiceAccount": ("serviceaccounts", True),
    "ServingRuntime": ("servingruntimes", True),
    "StatefulSet": ("statefulsets", True),
    "ValidatingAdmissionPolicy": ("validatingadmissionpolicies", False),
    "ValidatingAdmissionPolicyBinding": ("validatingadmissionpolicybindings", False),
}


def kind_info(obj: Manifest) -> tuple[str, bool]:
    kind = str(obj["kind"])
    if kind in KINDS:
        return KINDS[kind]
    return kind.lower() + "s", "namespace" in (obj.get("metadata") or {})


def type_key(api_version: str, kind: str) -> str:
    """ "networking.k8s.io/v1/NetworkPolicy", "v1/Namespace": one key per listed type."""
    return f"{api_version}/{kind}"


def key_of(obj: Manifest) -> str:
    return type_key(str(obj["apiVersion"]), str(obj["kind"]))


def ref(obj: Manifest) -> str:
    """How results name an object: "NetworkPolicy physics/default-deny", "Namespace physics"."""
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{obj['kind']} {ns + '/' if ns else ''}{meta.get('name')}"


def identity(obj: Manifest) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return key_of(obj), str(meta.get("namespace") or ""), str(meta.get("name"))


class Cluster(BaseModel):
    """Which cluster was read, and as whom."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server: str
    context: str = ""
    version: str = ""
    user: str = ""


class Snapshot(BaseModel):
    """Objects by type key; the types that could not be read, with why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cluster: Cluster
    objects: dict[str, list[Manifest]] = {}
    unreadable: dict[str, str] = {}

    def of(self, api_version: str, kind: str) -> list[Manifest]:
        return self.objects.get(type_key(api_version, kind), [])

    def kind(self, kind: str) -> list[Manifest]:
        """Every object of `kind`, whatever its API version."""
        return [o for key, objs in sorted(self.objects.items()) if key.rsplit("/", 1)[1] == kind for o in objs]

    def why_unreadable(self, kind: str) -> str | None:
        return next((why for key, why in sorted(self.unreadable.items()) if key.rsplit("/", 1)[1] == kind), None)

    def find(self, planned: Manifest) -> Manifest | None:
        wanted = identity(planned)
        return next((o for o in self.objects.get(key_of(planned), []) if identity(o) == wanted), None)
