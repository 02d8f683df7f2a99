"""The local dev cluster for real: built etcd, kube-apiserver, controller-manager, scheduler and kwok.

One cluster for the module (starting it takes ~10 s); tests run in file order and the last ones
kill a component and stop the cluster.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from allmende.devcluster import FakeNode, default_crds_dirs, down, kubeconfig_path, status, up
from allmende.devcluster.kube import api_client
from allmende.devcluster.models import COMPONENTS
from allmende.errors import AllmendeError
from allmende.toolchain import require_tools
from allmende.toolchain.engine import ENGINE_TOOLS, engine_env, install_provider_plugins

pytestmark = pytest.mark.engine

GPU_NODE = FakeNode.model_validate(
    {
        "name": "gpu-h100-0",
        "labels": {"nvidia.com/gpu.present": "true", "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"},
        "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
        "capacity": {"cpu": "64", "memory": "512Gi", "pods": 110, "nvidia.com/gpu": 8},
    }
)
CPU_NODE = FakeNode.model_validate({"name": "cpu-0", "capacity": {"cpu": "32", "memory": "128Gi"}})
NAMESPACE = "devcluster-test"


def _eventually(check: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what or check}")


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    try:
        require_tools((*COMPONENTS, *ENGINE_TOOLS))
    except AllmendeError as error:
        pytest.fail(f"{error.render()}\nThe engine tests need the built tools: run `allmende tools build` first.")
    crds = default_crds_dirs()
    if not crds:
        pytest.fail("no CRD directories found: set ALLMENDE_CRDS_DIR or provide ../shared/crds")
    directory = tmp_path_factory.mktemp("devcluster")
    try:
        up(directory, [GPU_NODE, CPU_NODE], crds)
        yield directory
    finally:
        down(directory)


@pytest.fixture(scope="module")
def api(state_dir: Path) -> client.ApiClient:
    api = api_client(kubeconfig_path(state_dir))
    core = client.CoreV1Api(api)
    try:
        core.create_namespace({"metadata": {"name": NAMESPACE}})
    except ApiException as error:
        if error.status != 409:
            raise
    _eventually(lambda: _has_default_sa(core), 60, "the namespace's default service account")
    return api


def _has_default_sa(core: client.CoreV1Api) -> bool:
    try:
        core.read_namespaced_service_account("default", NAMESPACE)
    except ApiException:
        return False
    return True


def test_cluster_runs_and_kubeconfig_is_written(state_dir: Path) -> None:
    result = status(state_dir)
    assert result.running, result
    assert Path(result.kubeconfig) == kubeconfig_path(state_dir.resolve())
    assert kubeconfig_path(state_dir).is_file()
    assert all((state_dir / "logs" / f"{c}.pid").is_file() for c in COMPONENTS)


def test_up_again_keeps_the_running_cluster(state_dir: Path) -> None:
    before = {c.name: c.pid for c in status(state_dir).components}
    up(state_dir, [GPU_NODE, CPU_NODE], default_crds_dirs())
    after = {c.name: c.pid for c in status(state_dir).components}
    assert before == after


def test_fake_gpu_node_is_ready_with_gpu_capacity(api: client.ApiClient) -> None:
    node = client.CoreV1Api(api).read_node(GPU_NODE.name)
    assert node.status.allocatable["nvidia.com/gpu"] == "8"
    assert node.status.capacity["nvidia.com/gpu"] == "8"
    assert node.metadata.labels["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3"
    assert [(t.key, t.value, t.effect) for t in node.spec.taints] == [("nvidia.com/gpu", "present", "NoSchedule")]
    assert any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)


def test_crds_are_established(api: client.ApiClient) -> None:
    ext = client.ApiextensionsV1Api(api)
    names = {crd.metadata.name for crd in ext.list_custom_resource_definition().items}
    assert "inferenceservices.serving.kserve.io" in names
    assert "clusterpolicies.nvidia.com" in names


def _gpu_deployment(name: str, gpus: int) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "nodeSelector": {"nvidia.com/gpu.present": "true"},
                    "tolerations": [
                        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
                    ],
                    "containers": [
                        {
                            "name": "server",
                            "image": "registry.invalid/model-server:1",
                            "resources": {"limits": {"nvidia.com/gpu": str(gpus)}},
                        }
                    ],
                },
            },
        },
    }


def test_gpu_deployment_becomes_ready_on_the_gpu_node(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment(NAMESPACE, _gpu_deployment("gpu-server", 2))

    def ready() -> bool:
        dep = apps.read_namespaced_deployment_status("gpu-server", NAMESPACE)
        return bool(dep.status.ready_replicas == 1)

    _eventually(ready, 90, "the GPU Deployment to be Ready")
    pods = client.CoreV1Api(api).list_namespaced_pod(NAMESPACE, label_selector="app=gpu-server").items
    assert [p.spec.node_name for p in pods] == [GPU_NODE.name]
    assert pods[0].status.phase == "Running"


def test_validating_admission_policy_denies(api: client.ApiClient) -> None:
    adm = client.AdmissionregistrationV1Api(api)
    adm.create_validating_admission_policy(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": "configmaps-need-owner"},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {
                    "resourceRules": [
                        {
                            "apiGroups": [""],
                            "apiVersions": ["v1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["configmaps"],
                        }
                    ]
                },
                "validations": [
                    {
                        "expression": "has(object.metadata.labels) && 'owner' in object.metadata.labels",
                        "message": "every ConfigMap names its owner",
                    }
                ],
            },
        }
    )
    adm.create_validating_admission_policy_binding(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": "configmaps-need-owner"},
            "spec": {
                "policyName": "configmaps-need-owner",
                "validationActions": ["Deny"],
                "matchResources": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACE}}},
            },
        }
    )
    core = client.CoreV1Api(api)
    attempt = [0]

    def denied() -> str:
        attempt[0] += 1
        try:
            core.create_namespaced_config_map(NAMESPACE, {"metadata": {"name": f"unowned-{attempt[0]}"}})
        except ApiException as error:
            if error.status in (403, 422) and "every ConfigMap names its owner" in str(error.body):
                return str(error.body)
            raise
        return ""

    assert "ValidatingAdmissionPolicy" in _eventually(denied, 30, "the policy to deny")
    owned = {"metadata": {"name": "owned", "labels": {"owner": "research-it"}}}
    assert core.create_namespaced_config_map(NAMESPACE, owned).metadata.name == "owned"


def test_resource_quota_refuses_pods_over_the_gpu_quota(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    core.create_namespace({"metadata": {"name": "quota-test"}})
    _eventually(lambda: _has_sa(core, "quota-test"), 60, "the default service account")
    core.create_namespaced_resource_quota(
        "quota-test",
        {"metadata": {"name": "gpus"}, "spec": {"hard": {"requests.nvidia.com/gpu": "1"}}},
    )

    def counted() -> bool:
        quota = core.read_namespaced_resource_quota("gpus", "quota-test")
        return bool(quota.status and quota.status.hard and quota.status.used is not None)

    _eventually(counted, 60, "the quota controller to count usage")

    def pod(name: str, gpus: int) -> dict[str, Any]:
        limits = {"nvidia.com/gpu": str(gpus)}
        return {
            "metadata": {"name": name},
            "spec": {
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                "containers": [
                    {
                        "name": "c",
                        "image": "registry.invalid/x:1",
                        "resources": {"limits": limits},
                    }
                ],
            },
        }

    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod("quota-test", pod("two-gpus", 2))
    assert refused.value.status == 403
    assert "exceeded quota" in str(refused.value.body)
    assert core.create_namespaced_pod("quota-test", pod("one-gpu", 1)).metadata.name == "one-gpu"


def _has_sa(core: client.CoreV1Api, namespace: str) -> bool:
    try:
        core.read_namespaced_service_account("default", namespace)
    except ApiException:
        return False
    return True


PROGRAM = """
import pulumi
import pulumi_kubernetes as k8s

cm = k8s.core.v1.ConfigMap(
    "hello",
    metadata={"name": "hello", "namespace": "NAMESPACE", "labels": {"owner": "engine-test"}},
    data={"greeting": "allmende"},
)
pulumi.export("uid", cm.metadata["uid"])
""".replace("NAMESPACE", NAMESPACE)


def test_pulumi_engine_creates_a_configmap_and_reup_is_a_no_op(
    state_dir: Path, api: client.ApiClient, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: engine-test\nruntime: python\n")
    (project / "__main__.py").write_text(PROGRAM)
    (tmp_path / "backend").mkdir()
    env = engine_env(
        backend_dir=tmp_path / "backend",
        pulumi_home=tmp_path / "pulumi-home",
        passphrase="engine-test",
        kubeconfig=kubeconfig_path(state_dir),
        python=Path(sys.executable),
    )
    install_provider_plugins(env)

    def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive"], cwd=project, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    pulumi("stack", "init", "dev")
    pulumi("up", "--yes", "--skip-preview")
    cm = client.CoreV1Api(api).read_namespaced_config_map("hello", NAMESPACE)
    assert cm.data == {"greeting": "allmende"}
    uid = json.loads(pulumi("stack", "output", "--json").stdout)["uid"]
    assert uid == cm.metadata.uid
    pulumi("preview", "--expect-no-changes")


def test_status_reports_a_component_that_died(state_dir: Path) -> None:
    scheduler = next(c for c in status(state_dir).components if c.name == "kube-scheduler")
    assert scheduler.pid is not None
    os.kill(scheduler.pid, signal.SIGKILL)
    result = _eventually(lambda: status(state_dir) if status(state_dir).dead else None, 10, "status to notice")
    assert result.dead == ("kube-scheduler",)
    assert not result.running


def test_down_stops_every_process(state_dir: Path) -> None:
    pids = [c.pid for c in status(state_dir).components if c.pid is not None]
    stopped = down(state_dir)
    assert set(stopped) == set(COMPONENTS) - {"kube-scheduler"}
    assert status(state_dir).stopped
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
