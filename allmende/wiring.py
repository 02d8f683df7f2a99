"""Turning planned manifests into pulumi_kubernetes resources, and nothing more.

Each manifest becomes the typed resource of its kind (so the provider's readiness waits apply)
or a CustomResource. Stateful objects (PVCs, CRDs, and objects the plan marks stateful) are
protected and retained on delete. Namespaced objects depend on their Namespace when the stack
creates it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from allmende.modules.labels import DOMAIN
from allmende.modules.types import ChartRelease, Manifest, ManifestBundle, ModulePlan, NodePatch, SecretSpec

# API group -> pulumi_kubernetes sub-package of its typed resources.
GROUPS = {
    "": "core",
    "admissionregistration.k8s.io": "admissionregistration",
    "apiextensions.k8s.io": "apiextensions",
    "apps": "apps",
    "autoscaling": "autoscaling",
    "batch": "batch",
    "networking.k8s.io": "networking",
    "policy": "policy",
    "rbac.authorization.k8s.io": "rbac",
    "scheduling.k8s.io": "scheduling",
    "storage.k8s.io": "storage",
}


def argument(field_name: str) -> str:
    """A manifest's top-level field as the typed resource's argument: roleRef -> role_ref."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", field_name).lower()


STATEFUL_KINDS = frozenset({"PersistentVolumeClaim", "CustomResourceDefinition"})
STATEFUL = f"{DOMAIN}/stateful"


def resource_class(api_version: str, kind: str) -> Any:
    group, _, version = api_version.rpartition("/")
    package = GROUPS.get(group)
    if package is None:
        return None
    module = importlib.import_module(f"pulumi_kubernetes.{package}.{version}")
    return getattr(module, kind)


def is_stateful(obj: Manifest) -> bool:
    annotations = obj.get("metadata", {}).get("annotations", {})
    return obj["kind"] in STATEFUL_KINDS or annotations.get(STATEFUL) == "true"


def child_name(parent: str, obj: Manifest) -> str:
    meta = obj["metadata"]
    scope = f"{meta['namespace']}-" if "namespace" in meta else ""
    return f"{parent}-{obj['kind'].lower()}-{scope}{meta['name']}"


def declare(
    parent: pulumi.ComponentResource,
    parent_name: str,
    obj: Manifest,
    namespaces: Mapping[str, pulumi.Resource],
    after: Sequence[pulumi.Resource] = (),
) -> pulumi.CustomResource:
    """One resource for one manifest, a child of `parent`."""
    depends = [namespaces[ns]] if (ns := obj["metadata"].get("namespace")) in namespaces else []
    depends += list(after)
    stateful = is_stateful(obj)
    opts = pulumi.ResourceOptions(parent=parent, depends_on=depends, protect=stateful, retain_on_delete=stateful)
    name = child_name(parent_name, obj)
    cls = resource_class(obj["apiVersion"], obj["kind"])
    if cls is None:
        from pulumi_kubernetes.apiextensions import CustomResource

        fields = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
        return CustomResource(name, api_version=obj["apiVersion"], kind=obj["kind"], opts=opts, **fields)
    fields = {argument(k): v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    resource: pulumi.CustomResource = cls(name, opts=opts, **fields)
    return resource


def declare_chart(
    parent: pulumi.ComponentResource, parent_name: str, chart: ChartRelease, after: Sequence[pulumi.Resource] = ()
) -> pulumi.Resource:
    """A pinned chart: helm.v3.Release where Helm hooks must run, helm.v4.Chart otherwise."""
    opts = pulumi.ResourceOptions(parent=parent, depends_on=list(after))
    name = f"{parent_name}-chart-{chart.name}"
    if chart.keep_hooks:
        from pulumi_kubernetes.helm.v3 import Release, RepositoryOptsArgs

        oci = chart.repository.startswith("oci://")
        return Release(
            name,
            name=chart.name,
            chart=chart.repository if oci else chart.chart,
            version=chart.version,
            namespace=chart.namespace,
            repository_opts=None if oci else RepositoryOptsArgs(repo=chart.repository),
            values=chart.values,
            atomic=True,
            opts=opts,
        )
    from pulumi_kubernetes.helm.v4 import Chart
    from pulumi_kubernetes.helm.v4 import RepositoryOptsArgs as V4RepositoryOpts

    oci = chart.repository.startswith("oci://")
    return Chart(
        name,
        chart=chart.repository if oci else chart.chart,
        version=chart.version,
        namespace=chart.namespace,
        repository_opts=None if oci else V4RepositoryOpts(repo=chart.repository),
        values=chart.values,
        opts=opts,
    )


def declare_node_patch(
    parent: pulumi.ComponentResource, parent_name: str, patch: NodePatch, after: Sequence[pulumi.Resource] = ()
) -> pulumi.Resource:
    """Labels and taints on a node allmende does not own."""
    from pulumi_kubernetes.core.v1 import NodePatch as K8sNodePatch
    from pulumi_kubernetes.core.v1 import NodeSpecPatchArgs, TaintPatchArgs
    from pulumi_kubernetes.meta.v1 import ObjectMetaPatchArgs

    return K8sNodePatch(
        f"{parent_name}-node-{patch.node}",
        metadata=ObjectMetaPatchArgs(name=patch.node, labels=patch.labels),
        spec=NodeSpecPatchArgs(taints=[TaintPatchArgs(**t) for t in patch.taints]),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
    )


def declare_bundle(parent: pulumi.ComponentResource, parent_name: str, bundle: ManifestBundle) -> pulumi.Resource:
    """A pinned upstream manifest file, fetched when the operator runs `pulumi up`."""
    from pulumi_kubernetes.yaml.v2 import ConfigFile

    return ConfigFile(
        f"{parent_name}-bundle-{bundle.name}", file=bundle.url, opts=pulumi.ResourceOptions(parent=parent)
    )


def secret_value(parent: pulumi.ComponentResource, name: str, key: str, spec: SecretSpec) -> pulumi.Input[str]:
    source = spec.keys[key]
    if source.literal is not None:
        return source.literal
    configured = pulumi.Config("allmende").get_secret(source.config) if source.config else None
    if configured is not None:
        return configured
    if source.generate is None:
        raise pulumi.RunError(
            f"secret {spec.namespace}/{spec.name} needs `pulumi config set --secret allmende:{source.config} …`"
        )
    from allmende.generated import GeneratedSecret

    generated = GeneratedSecret(
        f"{name}-{key.lower().replace('_', '-')}", source.generate, pulumi.ResourceOptions(parent=parent)
    )
    return generated.result


def declare_secret(
    parent: pulumi.ComponentResource, parent_name: str, spec: SecretSpec, namespaces: Mapping[str, pulumi.Resource]
) -> pulumi.Resource:
    """A Secret whose values come from Pulumi config secrets or are generated, never from the Plan."""
    from pulumi_kubernetes.core.v1 import Secret

    name = f"{parent_name}-secret-{spec.namespace}-{spec.name}"
    depends = [namespaces[spec.namespace]] if spec.namespace in namespaces else []
    data = {key: secret_value(parent, name, key, spec) for key in sorted(spec.keys)}
    return Secret(
        name,
        # empty maps are left out: the server drops them, and Pulumi would see a diff on every `up`
        metadata={
            "name": spec.name,
            "namespace": spec.namespace,
            **({"labels": spec.labels} if spec.labels else {}),
            **({"annotations": spec.annotations} if spec.annotations else {}),
        },
        string_data=data,
        type="Opaque",
        opts=pulumi.ResourceOptions(
            parent=parent, depends_on=depends, additional_secret_outputs=["stringData", "data"]
        ),
    )


class PlannedComponent(pulumi.ComponentResource):
    """A module's component: the objects of its ModulePlan, created as its children."""

    TYPE = "allmende:index:Planned"
    # Kinds created only after every other object of the module (e.g. bindings after their params).
    LAST_KINDS: frozenset[str] = frozenset()

    def __init__(
        self,
        name: str,
        module: ModulePlan,
        namespaces: dict[str, pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(self.TYPE, name, None, opts)
        self.resources: dict[str, pulumi.Resource] = {}
        first = self.wire_first(name, module)
        for obj in [o for o in module.objects if o["kind"] not in self.LAST_KINDS]:
            resource = declare(self, name, obj, namespaces)
            self.resources[child_name(name, obj)] = resource
            if obj["kind"] == "Namespace":
                namespaces[obj["metadata"]["name"]] = resource
        earlier = list(self.resources.values())
        for obj in [o for o in module.objects if o["kind"] in self.LAST_KINDS]:
            self.resources[child_name(name, obj)] = declare(self, name, obj, namespaces, earlier)
        for chart in module.charts:
            self.resources[f"{name}-chart-{chart.name}"] = declare_chart(self, name, chart, first)
        for secret in module.secrets:
            self.resources[f"{name}-secret-{secret.namespace}-{secret.name}"] = declare_secret(
                self, name, secret, namespaces
            )
        for bundle in module.bundles:
            self.resources[f"{name}-bundle-{bundle.name}"] = declare_bundle(self, name, bundle)
        for patch in module.node_patches:
            self.resources[f"{name}-node-{patch.node}"] = declare_node_patch(self, name, patch, first)
        self.wire_extra(name, module, namespaces)
        self.register_outputs({"objects": len(module.objects)})

    def wire_first(self, name: str, module: ModulePlan) -> list[pulumi.Resource]:
        """Children the module's charts and node patches wait for (e.g. joining bare-metal nodes)."""
        return []

    def wire_extra(self, name: str, module: ModulePlan, namespaces: dict[str, pulumi.Resource]) -> None:
        """Module-specific children that are not plain manifests (secrets, charts)."""
