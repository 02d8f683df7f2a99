"""A cluster as the API server would show it after `pulumi up`: the planned objects plus what
the server fills in (uid, resourceVersion, managedFields, status, defaulted fields, normalised
quantities), the simulated nodes, and the Kubernetes-made objects of every namespace."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from allmende.audit.snapshot import Cluster, Manifest, Snapshot, key_of
from allmende.blueprints.loader import load
from allmende.models.lock import ModelsLock
from allmende.modules.gpu_cluster.nodes import simulated_nodes
from allmende.modules.types import Plan
from allmende.planning import lock_of, plan_loaded

TODAY = dt.date(2027, 1, 15)


def stack(name: str) -> tuple[Any, Plan, ModelsLock | None]:
    loaded = load(name)
    return loaded.blueprint, plan_loaded(loaded, TODAY), lock_of(loaded)


def served(obj: Manifest, n: int) -> Manifest:
    live = copy.deepcopy(obj)
    meta = live["metadata"]
    meta.update(
        uid=f"uid-{n}",
        resourceVersion=str(1000 + n),
        generation=1,
        creationTimestamp="2027-01-10T10:00:00Z",
        managedFields=[{"manager": "pulumi-kubernetes", "operation": "Apply"}],
    )
    meta.setdefault("annotations", {})["pulumi.com/autonamed"] = "false"
    live["status"] = {"observed": True}
    if live["kind"] == "ValidatingAdmissionPolicy":
        live["spec"]["matchConstraints"].update(matchPolicy="Equivalent", namespaceSelector={}, objectSelector={})
    if live["kind"] == "ResourceQuota":  # the server prints quantities canonically
        hard = live["spec"]["hard"]
        for key, value in hard.items():
            if value.endswith("Gi"):
                hard[key] = str(int(value[:-2]) * 2**30)
    if live["kind"] == "Namespace":
        meta["labels"]["kubernetes.io/metadata.name"] = meta["name"]
    return live


def node(n: dict[str, Any]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": n["name"], "labels": {**n["labels"], "kubernetes.io/hostname": n["name"]}},
        "spec": {"taints": [dict(t) for t in n["taints"]]} if n["taints"] else {},
        "status": {"capacity": n["capacity"]},
    }


def snapshot_of(name: str) -> Snapshot:
    bp, plan, _ = stack(name)
    objects: dict[str, list[Manifest]] = {}
    for i, obj in enumerate(plan.objects()):
        if obj["kind"] != "Secret":
            objects.setdefault(key_of(obj), []).append(served(obj, i))
    for ns in [o["metadata"]["name"] for o in plan.objects() if o["kind"] == "Namespace"]:
        objects.setdefault("v1/ServiceAccount", []).append(
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}}
        )
    objects["v1/Node"] = [node(n) for n in simulated_nodes(bp)]
    objects["v1/Pod"] = []
    cluster = Cluster(server="https://127.0.0.1:6443", context="dev", version="v1.36.3", user="auditor")
    return Snapshot(cluster=cluster, objects=objects)


def edit(snap: Snapshot, kind: str, name: str, namespace: str | None = None) -> tuple[Snapshot, Manifest]:
    """A deep copy of the snapshot and the (mutable) object to tamper with in it."""
    copied = Snapshot.model_validate(copy.deepcopy(snap.model_dump()))
    for obj in copied.kind(kind):
        meta = obj["metadata"]
        if meta["name"] == name and (namespace is None or meta.get("namespace") == namespace):
            return copied, obj
    raise AssertionError(f"no {kind} {namespace}/{name} in the snapshot")


def without(snap: Snapshot, kind: str, name: str, namespace: str | None = None) -> Snapshot:
    copied, target = edit(snap, kind, name, namespace)
    for objs in copied.objects.values():
        if any(o is target for o in objs):
            objs.remove(target)
    return copied


def approved_tags(lock: ModelsLock) -> dict[tuple[str, str], dict[str, str]]:
    return {(m.model, m.version): dict(m.tags) for m in lock.models}
