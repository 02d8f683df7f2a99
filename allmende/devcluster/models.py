"""The typed inputs and records of the local dev cluster."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"
FAKE_NODE_VALUE = "fake"
GPU_RESOURCE = "nvidia.com/gpu"


class Taint(BaseModel):
    """A node taint (a GPU pool's `nvidia.com/gpu=present:NoSchedule`, for example)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class Capacity(BaseModel):
    """What a fake node offers the scheduler (capacity = allocatable on a fake node)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    cpu: str = "16"
    memory: str = "64Gi"
    pods: int = 110
    gpu: int = Field(default=0, ge=0, alias=GPU_RESOURCE)

    def as_resources(self) -> dict[str, str]:
        """The Kubernetes resource list (`status.capacity` / `status.allocatable`)."""
        resources = {"cpu": self.cpu, "memory": self.memory, "pods": str(self.pods)}
        if self.gpu:
            resources[GPU_RESOURCE] = str(self.gpu)
        return resources


class FakeNode(BaseModel):
    """One node simulated by kwok: scheduled onto for real, its pods marked Running/Ready by kwok."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)
    labels: dict[str, str] = Field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    capacity: Capacity = Field(default_factory=Capacity)


ComponentName = Literal["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]
COMPONENTS: tuple[ComponentName, ...] = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
)


class Ports(BaseModel):
    """The loopback ports of one cluster (chosen free at the first `up`, kept while free)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    etcd_client: int
    etcd_peer: int
    apiserver: int
    controller_manager: int
    scheduler: int
    kwok: int


class ComponentStatus(BaseModel):
    """One process of the cluster as `status` reports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ComponentName
    pid: int | None
    running: bool
    log: str


class ClusterStatus(BaseModel):
    """The whole cluster: running only if every component is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state_dir: str
    kubeconfig: str
    server: str
    components: tuple[ComponentStatus, ...]

    @property
    def running(self) -> bool:
        return all(c.running for c in self.components)

    @property
    def stopped(self) -> bool:
        return not any(c.running for c in self.components)

    @property
    def dead(self) -> tuple[str, ...]:
        """Components that should run but do not (empty when all run or all are stopped)."""
        if self.stopped:
            return ()
        return tuple(c.name for c in self.components if not c.running)
