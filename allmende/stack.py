"""SectorStack: the whole Plan of a stack, wired module by module in deployment order."""

from __future__ import annotations

import pulumi

from allmende.modules.accountability.component import Accountability
from allmende.modules.gpu_cluster.component import GpuCluster
from allmende.modules.model_registry.component import ModelRegistry
from allmende.modules.model_serving.component import ModelServing
from allmende.modules.tenancy.component import Tenancy
from allmende.modules.types import Plan
from allmende.wiring import PlannedComponent

COMPONENTS: dict[str, type[PlannedComponent]] = {
    "tenancy": Tenancy,
    "accountability": Accountability,
    "gpu_cluster": GpuCluster,
    "model_registry": ModelRegistry,
    "model_serving": ModelServing,
}
# Modules whose rules every later module must meet: admission policies and their parameters are
# in place before anything they check is created or changed.
GUARDS = frozenset({"accountability"})


class SectorStack(pulumi.ComponentResource):
    def __init__(self, name: str, plan: Plan, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("allmende:index:SectorStack", name, None, opts)
        namespaces: dict[str, pulumi.Resource] = {}
        self.modules: dict[str, PlannedComponent] = {}
        guards: list[pulumi.Resource] = []
        for module_name, module in plan.modules.items():
            component = COMPONENTS.get(module_name, PlannedComponent)
            options = pulumi.ResourceOptions(parent=self, depends_on=list(guards))
            self.modules[module_name] = component(f"{name}-{module_name}", module, namespaces, options)
            if module_name in GUARDS:
                guards.append(self.modules[module_name])
        self.namespaces = sorted(namespaces)
        self.register_outputs({"namespaces": self.namespaces, "modules": sorted(self.modules)})
