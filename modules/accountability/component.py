"""The Accountability component: the admission policies, their parameters and bindings.

A binding with `parameterNotFoundAction: Deny` refuses everything it matches until its params
exist, so the bindings are created only after the params ConfigMap and the policies.
"""

from __future__ import annotations

import pulumi

from allmende.modules.types import Manifest, ModulePlan
from allmende.wiring import PlannedComponent, child_name, declare, resource_class

BINDING = "ValidatingAdmissionPolicyBinding"


class Accountability(PlannedComponent):
    TYPE = "allmende:index:Accountability"

    def __init__(
        self,
        name: str,
        module: ModulePlan,
        namespaces: dict[str, pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        pulumi.ComponentResource.__init__(self, self.TYPE, name, None, opts)
        self.resources = {}
        for obj in module.objects:
            if obj["kind"] != BINDING:
                resource = declare(self, name, obj, namespaces)
                self.resources[child_name(name, obj)] = resource
                if obj["kind"] == "Namespace":
                    namespaces[obj["metadata"]["name"]] = resource
        first = list(self.resources.values())
        for obj in module.objects:
            if obj["kind"] == BINDING:
                self.resources[child_name(name, obj)] = self._binding(name, obj, first)
        self.register_outputs({"objects": len(module.objects)})

    def _binding(self, name: str, obj: Manifest, after: list[pulumi.Resource]) -> pulumi.Resource:
        cls = resource_class(obj["apiVersion"], obj["kind"])
        opts = pulumi.ResourceOptions(parent=self, depends_on=list(after))
        fields = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
        resource: pulumi.Resource = cls(child_name(name, obj), opts=opts, **fields)
        return resource
