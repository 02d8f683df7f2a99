"""The GpuCluster component: bare-metal hosts prepared and joined with Ansible first, then node
patches, the GPU Operator and Kueue releases, and the queues."""

from __future__ import annotations

import pulumi

from allmende.modules.types import ModulePlan
from allmende.wiring import PlannedComponent


class GpuCluster(PlannedComponent):
    TYPE = "allmende:index:GpuCluster"

    def wire_first(self, name: str, module: ModulePlan) -> list[pulumi.Resource]:
        if not module.ansible_runs:
            return []
        from allmende.modules.gpu_cluster import bare_metal

        runs = bare_metal.wire(self, name, module.ansible_runs)
        for key, run in runs.items():
            self.resources[f"{name}-{key}"] = run
        return list(runs.values())
