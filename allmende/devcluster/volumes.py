"""Storage for the local cluster: a default StorageClass and a pool of pre-made volumes.

The local cluster runs no storage provisioner. So that claims bind (and the workloads that
mount them are scheduled) as on a real cluster, `up` keeps a pool of hostPath volumes of the
default class available; the controller-manager binds each claim to one of them. Nothing is
written to the volumes: the simulated nodes run no containers.
"""

from __future__ import annotations

from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException

STORAGE_CLASS = "allmende-local"
POOL_SIZE = 24
VOLUME_SIZE = "2Ti"


def _storage_class() -> dict[str, object]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": STORAGE_CLASS,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "Immediate",
        "reclaimPolicy": "Retain",
    }


def _volume(index: int, root: Path) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"allmende-local-{index:03d}", "labels": {"allmende.org/local-volume": "true"}},
        "spec": {
            "capacity": {"storage": VOLUME_SIZE},
            "accessModes": ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": STORAGE_CLASS,
            "hostPath": {"path": str(root / f"{index:03d}"), "type": "DirectoryOrCreate"},
        },
    }


def ensure_volumes(api: client.ApiClient, root: Path) -> int:
    """Create the StorageClass and top the pool up to POOL_SIZE unbound volumes; returns how many were made."""
    storage = client.StorageV1Api(api)
    core = client.CoreV1Api(api)
    try:
        storage.create_storage_class(_storage_class())
    except ApiException as exc:
        if exc.status != 409:
            raise
    volumes = core.list_persistent_volume(label_selector="allmende.org/local-volume=true").items
    free = [v for v in volumes if v.status is None or v.status.phase == "Available"]
    taken = {v.metadata.name for v in volumes}
    made = 0
    index = 0
    while len(free) + made < POOL_SIZE:
        name = f"allmende-local-{index:03d}"
        if name not in taken:
            core.create_persistent_volume(_volume(index, root))
            made += 1
        index += 1
    return made
