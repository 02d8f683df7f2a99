"""The local dev cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
on 127.0.0.1, with fake (GPU) nodes and the operators' CRDs. Built tools come from `allmende.toolchain`.
"""

from __future__ import annotations

from allmende.devcluster.cluster import down, kubeconfig_path, status, up
from allmende.devcluster.crds import default_crds_dirs
from allmende.devcluster.models import Capacity, ClusterStatus, ComponentStatus, FakeNode, Taint

__all__ = [
    "Capacity",
    "ClusterStatus",
    "ComponentStatus",
    "FakeNode",
    "Taint",
    "default_crds_dirs",
    "down",
    "kubeconfig_path",
    "status",
    "up",
]
