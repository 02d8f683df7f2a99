"""The GPU cluster: pools labelled and tainted, the GPU Operator, and fair sharing with Kueue.

Existing nodes named in the blueprint get NodePatches (labels and taints only); the GPU
Operator comes from its pinned chart through a Helm release that keeps hooks (its CRD upgrade
runs as one) with a device-plugin configuration per time-sliced pool and MIG profiles chosen
by node label; Kueue queues share GPUs between tenants for batch work. Per-tenant GPU
ResourceQuotas for serving and interactive work are planned by the tenancy module.
"""

from __future__ import annotations

from allmende.blueprints.schema import Blueprint
from allmende.modules.gpu_cluster import ansible_plan, device_plugin, kueue
from allmende.modules.gpu_cluster.nodes import pool_labels, pool_taints
from allmende.modules.labels import meta
from allmende.modules.types import ChartRelease, Manifest, ModulePlan, NodePatch, pinned_chart

COMPONENT = "gpu-cluster"
GPU_OPERATOR_NAMESPACE = "gpu-operator"
KUEUE_NAMESPACE = "kueue-system"


def node_patches(blueprint: Blueprint) -> list[NodePatch]:
    return [
        NodePatch(node=node, labels=pool_labels(pool), taints=pool_taints(pool))
        for pool in blueprint.cluster.pools
        for node in pool.node_names
    ]


def _namespace(name: str) -> Manifest:
    labels = {"pod-security.kubernetes.io/enforce": "privileged"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, COMPONENT, name, more=labels)}


def gpu_operator(blueprint: Blueprint) -> tuple[list[Manifest], list[ChartRelease]]:
    if blueprint.operators.gpu_operator != "managed" or not any(p.gpu for p in blueprint.cluster.pools):
        return [], []
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(device_plugin.CONFIG_MAP, COMPONENT, "gpu-operator", GPU_OPERATOR_NAMESPACE),
        "data": device_plugin.configs(blueprint),
    }
    chart = pinned_chart("gpu-operator", GPU_OPERATOR_NAMESPACE, device_plugin.chart_values(blueprint), keep_hooks=True)
    return [_namespace(GPU_OPERATOR_NAMESPACE), config_map], [chart]


def kueue_release(blueprint: Blueprint) -> tuple[list[Manifest], list[ChartRelease]]:
    if blueprint.operators.kueue != "managed":
        return [], []
    return [_namespace(KUEUE_NAMESPACE)], [pinned_chart("kueue", KUEUE_NAMESPACE, {"enableCertManager": True})]


def plan(blueprint: Blueprint, cohort: str = "allmende") -> ModulePlan:
    operator_objects, operator_charts = gpu_operator(blueprint)
    kueue_objects, kueue_charts = kueue_release(blueprint)
    return ModulePlan(
        module=COMPONENT,
        objects=[*operator_objects, *kueue_objects, *kueue.objects(blueprint, cohort)],
        charts=[*operator_charts, *kueue_charts],
        node_patches=node_patches(blueprint),
        ansible_runs=ansible_plan.runs(blueprint),
    ).sorted()
