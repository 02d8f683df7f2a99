"""ModelRegistry under Pulumi mocks: the planned objects, generated secrets, protected state."""

from __future__ import annotations

from typing import Any

import pulumi

from allmende.blueprints.loader import load
from allmende.blueprints.schema import Registry
from allmende.modules.model_registry import names as n
from allmende.modules.model_registry.component import ModelRegistry
from allmende.modules.model_registry.plan import plan
from tests.component.conftest import RecordingMocks

GENERATED = "pulumi-python:dynamic:Resource"


@pulumi.runtime.test
def test_registry_component_creates_plan_secrets_and_protects_state(mocks: RecordingMocks) -> pulumi.Output[Any]:
    bp = load("health").blueprint.model_copy(update={"registry": Registry()})  # in-cluster database, volume
    module = plan(bp)
    registry = ModelRegistry("registry", module, {})
    ns = bp.registry.namespace

    def check(_: Any) -> None:
        k8s = [r for r in mocks.resources if r.typ.startswith("kubernetes:")]
        secrets = {r.inputs["metadata"]["name"]: r for r in k8s if r.typ == "kubernetes:core/v1:Secret"}
        assert set(secrets) == {n.ADMIN_SECRET, n.FLASK_SECRET, n.DB_SECRET}
        assert all(s.inputs["metadata"]["namespace"] == ns for s in secrets.values())
        generated = [r for r in mocks.resources if r.typ == GENERATED]
        assert len(generated) == 3 and all(int(g.inputs["length"]) >= 12 for g in generated)
        planned = sorted((o["kind"], o["metadata"]["name"]) for o in module.objects)
        created = sorted((r.inputs["kind"], r.inputs["metadata"]["name"]) for r in k8s if "kind" in r.inputs)
        assert [c for c in created if c[0] != "Secret"] == planned

    protected = {key for key, resource in registry.resources.items() if resource._protect}  # type: ignore[attr-defined]
    assert protected == {
        f"registry-persistentvolumeclaim-{ns}-{n.ARTIFACTS_CLAIM}",
        f"registry-persistentvolumeclaim-{ns}-{n.DATABASE_CLAIM}",
        f"registry-statefulset-{ns}-{n.DATABASE}",
    }
    assert f"registry-secret-{ns}-{n.DB_SECRET}" in registry.resources
    return pulumi.Output.all(registry.urn, *[r.urn for r in registry.resources.values()]).apply(check)
