"""The Plan: what every module wants to exist, as plain data, before Pulumi is involved."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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

    def sorted(self) -> ModulePlan:
        return self.model_copy(
            update={
                "objects": sorted(self.objects, key=object_key),
                "charts": sorted(self.charts, key=lambda c: c.name),
                "node_patches": sorted(self.node_patches, key=lambda n: n.node),
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
