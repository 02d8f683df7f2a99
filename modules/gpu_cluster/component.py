"""The GpuCluster component: node patches, the GPU Operator and Kueue releases, the queues."""

from __future__ import annotations

from allmende.wiring import PlannedComponent


class GpuCluster(PlannedComponent):
    TYPE = "allmende:index:GpuCluster"
