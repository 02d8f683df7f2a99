"""Each sector stack deployed by the real Pulumi engine onto the local cluster.

Per stack: `pulumi up` succeeds; Deployments and StatefulSets become Ready on the simulated
nodes; a workload shaped like each planned GPU predictor is scheduled by the real scheduler onto
a node of its pool (and never a CPU node); a second `up` changes nothing; `destroy
--exclude-protected` removes everything but the protected stateful resources.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from allmende.blueprints.loader import load
from allmende.modules.gpu_cluster.nodes import POOL
from allmende.planning import plan_loaded
from tests.engine.stack_env import StackEnv, eventually, stack_env

pytestmark = pytest.mark.engine

STACKS = ("science", "health", "manufacturing")


@pytest.fixture(scope="module", params=STACKS)
def deployed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackEnv]:
    stack = str(request.param)
    with stack_env(stack, tmp_path_factory.mktemp(stack)) as env:
        env.ok("up", "--yes", "--skip-preview")
        yield env


def _ready(api: client.ApiClient) -> bool:
    apps = client.AppsV1Api(api)
    for d in apps.list_deployment_for_all_namespaces().items:
        if (d.status.ready_replicas or 0) < (d.spec.replicas or 0):
            return False
    for s in apps.list_stateful_set_for_all_namespaces().items:
        if (s.status.ready_replicas or 0) < (s.spec.replicas or 0):
            return False
    return True


def test_up_creates_every_planned_object(deployed: StackEnv) -> None:
    the_plan = plan_loaded(load(deployed.stack))
    core = client.CoreV1Api(deployed.api)
    namespaces = {n.metadata.name for n in core.list_namespace().items}
    planned = {o["metadata"]["name"] for o in the_plan.objects() if o["kind"] == "Namespace"}
    assert planned <= namespaces
    custom = client.CustomObjectsApi(deployed.api)
    for obj in the_plan.objects():
        if obj["kind"] != "InferenceService":
            continue
        meta = obj["metadata"]
        live = custom.get_namespaced_custom_object(
            "serving.kserve.io", "v1beta1", meta["namespace"], "inferenceservices", meta["name"]
        )
        assert live["spec"]["predictor"]["model"]["storageUri"] == obj["spec"]["predictor"]["model"]["storageUri"]
    quotas = {(q.metadata.namespace, q.metadata.name) for q in core.list_resource_quota_for_all_namespaces().items}
    bp = load(deployed.stack).blueprint
    assert {(t.namespace, "tenant-quota") for t in bp.tenants} <= quotas


def test_workloads_become_ready(deployed: StackEnv) -> None:
    eventually(lambda: _ready(deployed.api), timeout=180, what="Deployments and StatefulSets Ready")


def _gpu_predictors(stack: str) -> list[dict[str, Any]]:
    objs = plan_loaded(load(stack)).objects()
    return [
        o
        for o in objs
        if o["kind"] == "InferenceService"
        and "nvidia.com/gpu" in o["spec"]["predictor"]["model"]["resources"]["limits"]
    ]


def test_gpu_workloads_land_on_their_pool(deployed: StackEnv) -> None:
    """No KServe controller runs locally, so a Deployment with each predictor's pod shape stands in."""
    apps, core = client.AppsV1Api(deployed.api), client.CoreV1Api(deployed.api)
    predictors = _gpu_predictors(deployed.stack)
    assert predictors, "every stack serves at least one GPU model"
    for isvc in predictors:
        spec, meta = isvc["spec"]["predictor"], isvc["metadata"]
        name = f"shape-{meta['name']}"
        container = {
            "name": "model",
            "image": "registry.k8s.io/pause:3.10",
            "resources": spec["model"]["resources"],
            "securityContext": spec["model"]["securityContext"],
        }
        pod_spec = {
            "containers": [container],
            "nodeSelector": spec["nodeSelector"],
            "tolerations": spec.get("tolerations", []),
            "securityContext": spec["securityContext"],
        }
        body = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": meta["namespace"]},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec},
            },
        }
        apps.create_namespaced_deployment(meta["namespace"], body)

        def placed(ns: str = meta["namespace"], app: str = name) -> list[Any]:
            pods = core.list_namespaced_pod(ns, label_selector=f"app={app}").items
            return [p for p in pods if p.spec.node_name and p.status.phase == "Running"]

        (pod,) = eventually(placed, timeout=120, what=f"{name} running")
        node = core.read_node(pod.spec.node_name)
        assert node.metadata.labels[POOL] == spec["nodeSelector"][POOL]
        assert node.metadata.labels.get("nvidia.com/gpu.present") == "true"
        apps.delete_namespaced_deployment(name, meta["namespace"])


def test_second_up_changes_nothing(deployed: StackEnv) -> None:
    deployed.ok("up", "--yes", "--expect-no-changes", "--skip-preview")


def test_gpu_pod_beyond_the_tenant_quota_is_refused(deployed: StackEnv) -> None:
    from kubernetes.client.exceptions import ApiException

    bp = load(deployed.stack).blueprint
    tenant = bp.tenants[0]
    pool = next(p for p in bp.cluster.pools if p.gpu is not None)
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "too-many-gpus", "namespace": tenant.namespace},
        "spec": {
            "containers": [
                {
                    "name": "job",
                    "image": "registry.k8s.io/pause:3.10",
                    "resources": {
                        "requests": {"nvidia.com/gpu": str(tenant.gpu.nominal + 1), "cpu": "1", "memory": "1Gi"},
                        "limits": {"nvidia.com/gpu": str(tenant.gpu.nominal + 1), "cpu": "1", "memory": "1Gi"},
                    },
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "capabilities": {"drop": ["ALL"]},
                        "runAsNonRoot": True,
                        "runAsUser": 1000,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                }
            ],
            "tolerations": [
                {"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect} for t in pool.taints
            ],
        },
    }
    with pytest.raises(ApiException) as refused:
        client.CoreV1Api(deployed.api).create_namespaced_pod(tenant.namespace, body)
    assert refused.value.status == 403
    assert "exceeded quota: tenant-quota" in str(refused.value.body)
    assert "requests.nvidia.com/gpu" in str(refused.value.body)


def test_destroy_keeps_protected_state(deployed: StackEnv) -> None:
    core = client.CoreV1Api(deployed.api)
    pvcs_before = {
        (p.metadata.namespace, p.metadata.name) for p in core.list_persistent_volume_claim_for_all_namespaces().items
    }
    deployed.ok("destroy", "--yes", "--exclude-protected", "--skip-preview")
    pvcs_after = {
        (p.metadata.namespace, p.metadata.name) for p in core.list_persistent_volume_claim_for_all_namespaces().items
    }
    assert pvcs_before <= pvcs_after
    bp = load(deployed.stack).blueprint
    quotas = core.list_resource_quota_for_all_namespaces().items
    assert not [
        q
        for q in quotas
        if q.metadata.name == "tenant-quota" and q.metadata.namespace in {t.namespace for t in bp.tenants}
    ]
