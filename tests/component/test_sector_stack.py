"""SectorStack under Pulumi mocks creates exactly the planned objects, with the right options."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from allmende.blueprints.loader import load
from allmende.planning import plan
from allmende.stack import SectorStack
from tests.component.conftest import RecordingMocks
from tests.conftest import STACKS


def _identity(kind: str, meta: dict[str, Any]) -> tuple[str, str, str]:
    return (kind, meta.get("namespace", ""), meta["name"])


@pytest.mark.parametrize("stack", STACKS)
@pulumi.runtime.test
def test_sector_stack_creates_the_planned_objects(stack: str, mocks: RecordingMocks) -> pulumi.Output[Any]:
    the_plan = plan(load(stack).blueprint, stack)
    sector = SectorStack(stack, the_plan)

    def check(_: Any) -> None:
        created = sorted(
            _identity(r.inputs["kind"], r.inputs["metadata"])
            for r in mocks.resources
            if r.typ.startswith("kubernetes:")
        )
        planned = sorted(_identity(o["kind"], o["metadata"]) for o in the_plan.objects())
        secrets = [("Secret", s.namespace, s.name) for m in the_plan.modules.values() for s in m.secrets]
        planned = sorted(planned + secrets)
        assert created == planned
        types = {r.typ for r in mocks.resources}
        assert "allmende:index:SectorStack" in types and "allmende:index:Tenancy" in types
        assert "kubernetes:core/v1:Namespace" in types

    children = [r.urn for c in sector.modules.values() for r in c.resources.values()]
    return pulumi.Output.all(sector.urn, *children).apply(check)
