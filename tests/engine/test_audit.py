"""`allmende audit` against the real cluster: clean after `pulumi up`, each administrator's tamper
reported as the right control and object, payload logging refused and still off, a cluster that
is down is one message with exit 2, and `pulumi up --refresh` repairs so the next audit is clean.

Per stack (science, health): the local cluster, the stack deployed by the real engine, and a real
`mlflow server` (SQLite, loopback) holding the locked model versions with the tags they were
approved with — so "a tag removed after approval" is removed from a real registry.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from allmende.audit.evidence import log_path, verify
from allmende.audit.run import Audit, audit
from allmende.blueprints.loader import load
from allmende.models import tags as t
from allmende.models.lock import ModelsLock
from allmende.modules.labels import OWNER
from allmende.planning import lock_of
from tests.engine.stack_env import StackEnv, stack_env

pytestmark = pytest.mark.engine
VENV_BIN = Path(sys.executable).parent
MLFLOW_START_S = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@contextlib.contextmanager
def mlflow_registry(root: Path, lock: ModelsLock) -> Iterator[str]:
    """A real MLflow server whose locked versions carry the tags they were locked with."""
    port = _free_port()
    uri = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    args = [str(VENV_BIN / "mlflow"), "server", "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}"]
    args += ["--default-artifact-root", str(root / "artifacts"), "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", "1"]
    with (root / "mlflow.log").open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + MLFLOW_START_S
        while True:
            assert process.poll() is None, (root / "mlflow.log").read_text(errors="replace")[-3000:]
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{uri}/health", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "mlflow server did not start"
            time.sleep(0.5)
        from mlflow.tracking import MlflowClient

        registry = MlflowClient(tracking_uri=uri, registry_uri=uri)
        for model in lock.models:
            registry.create_registered_model(model.model)
            for _ in range(int(model.version)):
                made = registry.create_model_version(model.model, source=model.storage_uri)
            assert made.version == model.version
            for key, value in sorted(model.tags.items()):
                registry.set_model_version_tag(model.model, model.version, key, value)
        yield uri
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module", params=["science", "health"])
def deployed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackEnv]:
    stack = str(request.param)
    root = tmp_path_factory.mktemp(f"audit-{stack}")
    lock = lock_of(load(stack))
    assert lock is not None and lock.models, f"{stack} has no models lock to audit"
    with stack_env(stack, root) as env, mlflow_registry(root, lock) as uri:
        saved = os.environ.get("MLFLOW_TRACKING_URI")
        os.environ["MLFLOW_TRACKING_URI"] = uri
        try:
            env.ok("up", "--yes", "--skip-preview")
            yield env
        finally:
            if saved is None:
                os.environ.pop("MLFLOW_TRACKING_URI", None)
            else:
                os.environ["MLFLOW_TRACKING_URI"] = saved


def run(env: StackEnv) -> Audit:
    return audit(env.stack, env.dev / "kubeconfig")


def problems(result: Audit) -> set[tuple[str, str]]:
    return {(r.control, r.subject) for r in result.results if r.status != "met"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allmende", *args], capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )


def first_service(env: StackEnv) -> tuple[str, str]:
    """(namespace, name) of the stack's first InferenceService."""
    bp = load(env.stack).blueprint
    svc = bp.serving.services[0]
    namespace = next(t.namespace for t in bp.tenants if t.name == svc.tenant)
    return namespace, svc.name


def test_1_a_deployed_stack_audits_clean(deployed: StackEnv, tmp_path: Path) -> None:
    done = cli("audit", deployed.stack, "--kubeconfig", str(deployed.dev / "kubeconfig"), "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "0 not met" in done.stdout and "0 could not check" in done.stdout
    assert (tmp_path / f"audit-{deployed.stack}.md").is_file()
    record = yaml.safe_load((tmp_path / f"audit-{deployed.stack}.json").read_text(encoding="utf-8"))
    assert record["cluster"]["server"].startswith("https://127.0.0.1:")
    assert record["plan_hash"].startswith("sha256:") and record["by"]
    assert verify(log_path(deployed.stack)) == 1


def test_2_payload_logging_is_refused_and_stays_off(deployed: StackEnv) -> None:
    namespace, name = first_service(deployed)
    custom = client.CustomObjectsApi(deployed.api)
    patch = {"spec": {"predictor": {"logger": {"mode": "all", "url": "http://collector.example"}}}}
    with pytest.raises(ApiException) as refused:
        custom.patch_namespaced_custom_object(
            "serving.kserve.io", "v1beta1", namespace, "inferenceservices", name, patch
        )
    assert refused.value.status in (403, 422) and "payload-logging-denied" in str(refused.value.body)
    result = run(deployed)
    logged = [r for r in result.results if r.control == "payload-logging-denied" and r.service == name]
    assert logged and {r.status for r in logged} == {"met"}
    assert any(r.message == "payload logging is off" for r in logged)


def test_3_each_tamper_is_reported_as_its_control_and_object(deployed: StackEnv) -> None:
    bp = load(deployed.stack).blueprint
    tenant = bp.tenants[0]
    core, net = client.CoreV1Api(deployed.api), client.NetworkingV1Api(deployed.api)
    admission = client.AdmissionregistrationV1Api(deployed.api)
    custom = client.CustomObjectsApi(deployed.api)

    before = verify(log_path(deployed.stack))
    net.delete_namespaced_network_policy("default-deny", tenant.namespace)
    raised = str(tenant.gpu.nominal + 10)
    core.patch_namespaced_resource_quota(
        "tenant-quota", tenant.namespace, {"spec": {"hard": {"requests.nvidia.com/gpu": raised}}}
    )
    admission.delete_validating_admission_policy_binding("allmende-images-pinned")
    namespace, name = first_service(deployed)
    custom.patch_namespaced_custom_object(
        "serving.kserve.io",
        "v1beta1",
        namespace,
        "inferenceservices",
        name,
        {"metadata": {"annotations": {OWNER: "nobody in particular"}}},
    )
    lock = lock_of(load(deployed.stack))
    assert lock is not None
    locked = lock.for_service(name)
    assert locked is not None
    from mlflow.tracking import MlflowClient

    uri = os.environ["MLFLOW_TRACKING_URI"]
    MlflowClient(tracking_uri=uri, registry_uri=uri).delete_model_version_tag(
        locked.model, locked.version, t.REVIEW_STATUS
    )

    result = run(deployed)
    assert result.exit_code == 1
    found = problems(result)
    expected = {
        ("default-deny-network", f"NetworkPolicy {tenant.namespace}/default-deny"),
        ("default-deny-network", f"Namespace {tenant.namespace}"),
        ("gpu-quota-per-tenant", f"ResourceQuota {tenant.namespace}/tenant-quota"),
        ("images-pinned", "ValidatingAdmissionPolicyBinding allmende-images-pinned"),
        ("register-labels", f"InferenceService {namespace}/{name}"),
        ("approved-by-person", f"model {locked.model} version {locked.version}"),
    }
    assert found == expected, sorted(found ^ expected)
    assert verify(log_path(deployed.stack)) == before + 1


def test_4_a_cluster_that_is_down_is_one_message_and_exit_2(deployed: StackEnv, tmp_path: Path) -> None:
    config = yaml.safe_load((deployed.dev / "kubeconfig").read_text(encoding="utf-8"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    for entry in config["clusters"]:
        entry["cluster"]["server"] = f"https://127.0.0.1:{closed}"
    down = tmp_path / "kubeconfig"
    down.write_text(yaml.safe_dump(config), encoding="utf-8")
    before = verify(log_path(deployed.stack))
    done = cli("audit", deployed.stack, "--kubeconfig", str(down))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot reach the cluster at https://127.0.0.1:{closed}: connection refused" in done.stderr
    assert verify(log_path(deployed.stack)) == before  # nothing recorded


def test_5_pulumi_up_refresh_repairs_and_the_next_audit_is_clean(deployed: StackEnv) -> None:
    _, name = first_service(deployed)
    lock = lock_of(load(deployed.stack))
    assert lock is not None
    locked = lock.for_service(name)
    assert locked is not None
    from mlflow.tracking import MlflowClient

    before = verify(log_path(deployed.stack))
    uri = os.environ["MLFLOW_TRACKING_URI"]  # the registry is not Pulumi's: its steward restores the tag
    registry = MlflowClient(tracking_uri=uri, registry_uri=uri)
    registry.set_model_version_tag(locked.model, locked.version, t.REVIEW_STATUS, locked.tags[t.REVIEW_STATUS])

    # Server-side apply: an administrator's `kubectl edit` took over fields; the repair takes them back.
    os.environ["PULUMI_K8S_ENABLE_PATCH_FORCE"] = "true"
    try:
        deployed.ok("up", "--yes", "--skip-preview", "--refresh")
    finally:
        os.environ.pop("PULUMI_K8S_ENABLE_PATCH_FORCE", None)
    result = run(deployed)
    assert problems(result) == set(), sorted(problems(result))
    assert result.exit_code == 0
    assert verify(log_path(deployed.stack)) == before + 1
