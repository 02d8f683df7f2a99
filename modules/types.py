"""The Plan: what every module wants to exist, as plain data, before Pulumi is involved."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from allmende.modules.gpu_cluster.ansible_plan import AnsibleRun

Manifest = dict[str, Any]

# Kinds that must exist before others (cluster-scoped scaffolding first), then alphabetical.
KIND_ORDER = (
    "CustomResourceDefinition",
    "Namespace",
    "PriorityClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
)


def object_key(obj: Manifest) -> tuple[int, str, str, str]:
    kind = str(obj["kind"])
    order = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    meta = obj.get("metadata", {})
    return (order, kind, str(meta.get("namespace", "")), str(meta["name"]))


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChartRelease(Frozen):
    """A Helm chart the module installs when its operator is `managed`."""

    name: str
    chart: str
    version: str
    repository: str
    namespace: str
    values: dict[str, Any] = {}
    keep_hooks: bool = Field(default=False, description="install through helm.v3.Release so Helm hooks run")


class SecretKey(Frozen):
    """Where one key of a planned Secret gets its value — never the value itself.

    config: a Pulumi secret config key (`pulumi config set --secret allmende:<key> …`);
    generate: a random password of that length, kept in the Pulumi state as a secret;
    literal: a value that is not secret (an endpoint, a user name).
    A config key that is not set falls back to a generated value only when `generate` is set too.
    """

    config: str | None = None
    generate: int | None = None
    literal: str | None = None


class SecretSpec(Frozen):
    """A Secret the component creates; the Plan names it and where its values come from."""

    name: str
    namespace: str
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    keys: dict[str, SecretKey]


def pinned_chart(name: str, namespace: str, values: dict[str, Any], keep_hooks: bool = False) -> ChartRelease:
    """A release of the chart `name` at the version and repository `allmende/versions.py` pins."""
    from allmende import versions

    pin = versions.CHARTS[name]
    return ChartRelease(
        name=name,
        chart=name,
        version=pin.version,
        repository=pin.source,
        namespace=namespace,
        values=values,
        keep_hooks=keep_hooks,
    )


class ManifestBundle(Frozen):
    """A pinned upstream release file of manifests (e.g. the Gateway API CRDs), applied as is."""

    name: str
    version: str
    url: str


class NodePatch(Frozen):
    """Labels and taints put on an existing node the blueprint names."""

    node: str
    labels: dict[str, str] = {}
    taints: list[dict[str, str]] = []


class ModulePlan(Frozen):
    module: str
    objects: list[Manifest] = []
    charts: list[ChartRelease] = []
    node_patches: list[NodePatch] = []
    bundles: list[ManifestBundle] = []
    secrets: list[SecretSpec] = []
    ansible_runs: list[AnsibleRun] = Field(default=[], description="in order: preflight, prepare, join")

    def sorted(self) -> ModulePlan:
        return self.model_copy(
            update={
                "objects": sorted(self.objects, key=object_key),
                "charts": sorted(self.charts, key=lambda c: c.name),
                "node_patches": sorted(self.node_patches, key=lambda n: n.node),
                "bundles": sorted(self.bundles, key=lambda b: b.name),
                "secrets": sorted(self.secrets, key=lambda x: (x.namespace, x.name)),
            }
        )


class Plan(Frozen):
    stack: str
    sector: str
    modules: dict[str, ModulePlan]

    def objects(self) -> list[Manifest]:
        return [obj for module in self.modules.values() for obj in module.objects]

    def charts(self) -> list[ChartRelease]:
        return [chart for module in self.modules.values() for chart in module.charts]
