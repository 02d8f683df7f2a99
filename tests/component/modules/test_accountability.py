"""The Accountability component under Pulumi mocks: exactly the planned objects, as its children,
with the bindings created after the params and the policies."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from allmende.blueprints.loader import load
from allmende.modules.accountability import plan as accountability
from allmende.modules.accountability.component import Accountability
from tests.component.conftest import RecordingMocks


@pytest.mark.parametrize("stack", ["science", "health", "manufacturing"])
@pulumi.runtime.test
def test_accountability_creates_the_planned_objects(stack: str, mocks: RecordingMocks) -> pulumi.Output[Any]:
    module = accountability.plan(load(stack).blueprint)
    component = Accountability(f"{stack}-accountability", module, {})

    def check(_: Any) -> None:
        created = sorted(
            (r.inputs["kind"], r.inputs["metadata"]["name"]) for r in mocks.resources if r.typ.startswith("kubernetes:")
        )
        assert created == sorted((o["kind"], o["metadata"]["name"]) for o in module.objects)
        types = {r.typ for r in mocks.resources}
        assert "allmende:index:Accountability" in types
        assert "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding" in types
        kinds = [r.inputs["kind"] for r in mocks.resources if r.typ.startswith("kubernetes:")]
        first_binding = kinds.index("ValidatingAdmissionPolicyBinding")
        assert "ConfigMap" in kinds[:first_binding] and "ValidatingAdmissionPolicy" in kinds[:first_binding]

    return pulumi.Output.all(*(r.urn for r in component.resources.values())).apply(check)
