"""Where the stack runs: how to reach the cluster, its node pools and bare-metal hosts."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from allmende.blueprints.schema.base import Name, NonNegativeInt, PositiveInt, Strict, Url

# MIG slices of one GPU per compute-slice size (NVIDIA's A100/H100 geometry).
MIG_SLICES_PER_GPU = {1: 7, 2: 3, 3: 2, 4: 1, 7: 1}
_MIG = re.compile(r"^(?:all-)?(\d)g\.(\d+)gb$")


def mig_geometry(profile: str) -> tuple[int, int]:
    """(slices per GPU, memory per slice in GB) of a MIG profile such as `all-1g.10gb`."""
    match = _MIG.match(profile)
    if match is None or int(match.group(1)) not in MIG_SLICES_PER_GPU:
        raise ValueError(f"unknown MIG profile {profile!r}: use e.g. all-1g.10gb, all-2g.20gb, all-3g.40gb")
    return MIG_SLICES_PER_GPU[int(match.group(1))], int(match.group(2))


class Taint(Strict):
    key: str = Field(min_length=1)
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class Sharing(Strict):
    """How one physical GPU is offered to workloads.

    exclusive: a pod gets whole GPUs. time-slicing: each GPU is advertised `replicas` times
    (no memory isolation). mig: each GPU is cut into hardware-isolated MIG slices of `profile`.
    """

    mode: Literal["exclusive", "time-slicing", "mig"] = "exclusive"
    replicas: PositiveInt | None = Field(default=None, description="time-slicing only: shares per GPU")
    profile: str | None = Field(default=None, description="mig only: e.g. all-1g.10gb, all-3g.40gb")

    @model_validator(mode="after")
    def _mode_fields(self) -> Sharing:
        if self.mode == "time-slicing" and (self.replicas is None or self.replicas < 2):
            raise ValueError("time-slicing needs `replicas` of 2 or more (shares per GPU)")
        if self.mode != "time-slicing" and self.replicas is not None:
            raise ValueError(f"`replicas` applies to time-slicing only, not to {self.mode}")
        if self.mode == "mig" and not self.profile:
            raise ValueError("mig needs a `profile`, e.g. all-1g.10gb")
        if self.mode == "mig" and self.profile:
            mig_geometry(self.profile)
        if self.mode != "mig" and self.profile is not None:
            raise ValueError(f"`profile` applies to mig only, not to {self.mode}")
        return self


class Gpu(Strict):
    product: str = Field(min_length=2, description="as the GPU feature discovery labels it, e.g. NVIDIA-H100-80GB-HBM3")
    per_node: PositiveInt
    memory_gb: PositiveInt = Field(description="memory of one GPU in GB")
    power_watts: PositiveInt = Field(default=400, description="typical board power, for energy estimates")


class NodePool(Strict):
    """Identical nodes. GPU pools carry a taint so that only GPU workloads land there."""

    name: Name
    nodes: PositiveInt
    cpu: PositiveInt = Field(description="cores per node")
    memory_gi: PositiveInt = Field(description="memory per node in GiB")
    gpu: Gpu | None = None
    sharing: Sharing = Sharing()
    region: str | None = Field(default=None, description="topology.kubernetes.io/region of these nodes")
    labels: dict[str, str] = {}
    taints: list[Taint] = []
    node_names: list[str] = Field(
        default=[],
        description="existing clusters: the nodes of this pool by name (empty: the local cluster names them)",
    )

    @model_validator(mode="after")
    def _gpu_sharing(self) -> NodePool:
        if self.gpu is None and self.sharing.mode != "exclusive":
            raise ValueError("GPU sharing is set on a pool without GPUs: add `gpu` or drop `sharing`")
        if self.node_names and len(self.node_names) != self.nodes:
            raise ValueError(f"`node_names` lists {len(self.node_names)} nodes but `nodes` is {self.nodes}")
        return self


class Host(Strict):
    name: Name
    address: str = Field(min_length=1)
    pool: Name
    role: Literal["server", "agent"] = "agent"


class BareMetal(Strict):
    """Hosts prepared and joined with Ansible (the GPU cluster module)."""

    hosts: list[Host] = Field(min_length=1)
    ssh_user: str = "ansible"
    ssh_key_secret: str = Field(description="name of the Pulumi secret config key holding the SSH private key")
    package_mirror: Url = Field(description="the institution's package mirror for drivers and the container toolkit")
    distribution: Literal["k3s", "rke2"] = "k3s"
    install_url: Url = Field(description="where the k3s/RKE2 installer is served from (no internet default)")


class Cluster(Strict):
    """How to reach the cluster and what it is made of."""

    kind: Literal["local", "kubeconfig"] = "local"
    kubeconfig: str | None = None
    context: str | None = None
    kubernetes_version: str = Field(default="1.36", pattern=r"^1\.\d+$")
    gpu_driver: Literal["operator", "host"] = Field(
        default="operator", description="operator: the GPU Operator installs the driver; host: the nodes ship it"
    )
    container_toolkit: Literal["operator", "host"] = "operator"
    pools: list[NodePool] = Field(min_length=1)
    bare_metal: BareMetal | None = None

    @model_validator(mode="after")
    def _reach(self) -> Cluster:
        if self.kind == "kubeconfig" and not self.kubeconfig:
            raise ValueError("kind `kubeconfig` needs `kubeconfig` (a path) and usually `context`")
        return self


GpuCount = NonNegativeInt
