"""Accountability for real: the admission policies in a real kube-apiserver (objects admitted
and refused), and the CrossGuard pack run by the real engine on each stack.

Needs the built engine and control plane (`allmende tools build`), the accountability module
wired into the Plan (BUILDERS) and the stack (COMPONENTS), and `tests/engine/stack_env.py`.
Objects are sent as server-side dry runs: the apiserver runs admission, nothing is stored.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, dynamic
from kubernetes.client.exceptions import ApiException

from allmende.blueprints.loader import load
from allmende.policies.load import catalogue
from allmende.policies.pack_config import pack_config
from tests.engine.stack_env import StackEnv, stack_env
from tests.unit.policies.fixtures import SAFE_CONTAINER, isvc, pod
from tests.unit.policies.test_kyverno_peer_suite import verdicts

pytestmark = pytest.mark.engine
STACKS = ("science", "health", "manufacturing")


@pytest.fixture(scope="module", params=STACKS)
def deployed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackEnv]:
    """Each stack `pulumi up` on its own local cluster, once for the module."""
    with stack_env(request.param, tmp_path_factory.mktemp(f"policies-{request.param}")) as env:
        env.ok("up", "--yes", "--skip-preview")
        yield env


def dry_run(env: StackEnv, obj: dict[str, Any], namespace: str) -> tuple[bool, str]:
    """(admitted, message) of a server-side dry-run create."""
    api = dynamic.DynamicClient(env.api)
    resource = api.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
    body = {**obj, "metadata": {**obj["metadata"], "namespace": namespace}}
    try:
        resource.create(body=body, namespace=namespace, query_params=[("dryRun", "All")])
    except ApiException as error:
        return False, str(error.body)
    except dynamic.exceptions.ApiException as error:  # type: ignore[attr-defined]
        return False, str(error.body)
    return True, ""


def tenant(env: StackEnv) -> str:
    return load(env.stack).blueprint.tenants[0].namespace


def test_the_policies_and_their_params_are_in_the_cluster(deployed: StackEnv) -> None:
    admission = client.AdmissionregistrationV1Api(deployed.api)
    names = {p.metadata.name for p in admission.list_validating_admission_policy().items}
    assert {f"allmende-{c.id}" for c in catalogue().at("admission") if c.id != "egress-allowlist"} <= names
    core = client.CoreV1Api(deployed.api)
    params = core.read_namespaced_config_map("allmende-policy-params", "allmende-accountability")
    assert params.data["sector"] == load(deployed.stack).blueprint.sector


def test_a_compliant_pod_is_admitted(deployed: StackEnv) -> None:
    admitted, message = dry_run(deployed, pod(), tenant(deployed))
    assert admitted, message


@pytest.mark.parametrize(
    ("obj", "control"),
    [
        (pod({**SAFE_CONTAINER, "image": "ghcr.io/example/app"}), "images-pinned"),
        (pod({**SAFE_CONTAINER, "image": "ghcr.io/example/app:latest"}), "images-pinned"),
        (pod({**SAFE_CONTAINER, "image": "evil.example.com/app:1.0"}), "trusted-registries"),
        (pod(tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists"}]), "gpu-limits-set"),
    ],
)
def test_breaking_pods_are_refused_with_the_controls_message(
    deployed: StackEnv, obj: dict[str, Any], control: str
) -> None:
    admitted, message = dry_run(deployed, obj, tenant(deployed))
    assert not admitted and f"[{control}]" in message, message


def test_inference_services_are_checked(deployed: StackEnv) -> None:
    bp = load(deployed.stack).blueprint
    svc = bp.serving.services[0]
    ns = next(t.namespace for t in bp.tenants if t.name == svc.tenant)
    labels = {
        **isvc()["metadata"]["labels"],
        "allmende.org/register-id": svc.name,
        "allmende.org/service": svc.name,
        "allmende.org/tenant": svc.tenant,
        "allmende.org/licence": bp.rules.allowed_licences[0],
    }
    region = bp.institution.data_regions[0]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "topology.kubernetes.io/region", "operator": "In", "values": [region]}
                        ]
                    }
                ]
            }
        }
    }
    good = isvc(labels=labels, affinity=affinity)
    # a probe beside the deployed services: its own name, their register entry
    good["metadata"]["name"] = f"probe-{svc.name}"
    admitted, message = dry_run(deployed, good, ns)
    assert admitted, message
    for broken, control in (
        (
            isvc(labels=labels, affinity=affinity, logger={"mode": "all", "url": "http://sink"}),
            "payload-logging-denied",
        ),
        (
            isvc(
                labels=labels,
                affinity=affinity,
                model={"modelFormat": {"name": "huggingface"}, "storageUri": "hf://x/y"},
            ),
            "models-from-own-storage",
        ),
        (
            isvc(labels={k: v for k, v in labels.items() if "register-id" not in k}, affinity=affinity),
            "register-labels",
        ),
    ):
        admitted, message = dry_run(deployed, broken, ns)
        assert not admitted and f"[{control}]" in message, message


def test_a_tenant_namespace_cannot_be_weakened(deployed: StackEnv) -> None:
    core = client.CoreV1Api(deployed.api)
    ns = tenant(deployed)
    body = {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}
    with pytest.raises(ApiException) as info:
        core.patch_namespace(ns, body, dry_run="All")
    assert "[pod-security-restricted]" in str(info.value.body)


def test_every_failing_peer_pod_is_refused(deployed: StackEnv, shared: Path) -> None:
    admitted = []
    for test, _, result, doc in verdicts(shared / "peer-suites" / "kyverno-policies"):
        if result == "fail" and doc["kind"] == "Pod":
            ok, _ = dry_run(deployed, doc, tenant(deployed))
            if ok:
                admitted.append(f"{test}/{doc['metadata']['name']}")
    assert not admitted, f"the apiserver admitted: {admitted}"


def _preview_with_pack(env: StackEnv, root: Path, tmp: Path) -> tuple[int, str]:
    config = tmp / f"pack-{env.stack}.json"
    config.write_text(json.dumps(pack_config(env.stack, load(env.stack).blueprint, catalogue())), encoding="utf-8")
    result = env.pulumi(
        "preview", "--policy-pack", str(root / "policies" / "pack"), "--policy-pack-config", str(config)
    )
    return result.code, result.stdout + result.stderr


def test_the_pack_is_green_for_the_shipped_stack(deployed: StackEnv, root: Path, tmp_path: Path) -> None:
    code, output = _preview_with_pack(deployed, root, tmp_path)
    assert code == 0, output[-4000:]


@pytest.fixture
def broken_stacks(tmp_path: Path, root: Path) -> Iterator[Path]:
    """A copy of stacks/ with `broken`: the health stack with an outdated DPIA and 30-day logs."""
    stacks = tmp_path / "stacks"
    shutil.copytree(root / "stacks", stacks)
    project = yaml.safe_load((stacks / "Pulumi.yaml").read_text(encoding="utf-8"))
    project["runtime"]["options"]["virtualenv"] = str((root / ".venv").resolve())
    (stacks / "Pulumi.yaml").write_text(yaml.safe_dump(project), encoding="utf-8")
    document = yaml.safe_load((stacks / "Pulumi.health.yaml").read_text(encoding="utf-8"))
    bp = document["config"]["allmende:blueprint"]
    # validation accepts both; only the rules' clocks and minimums catch them
    bp["accountability"]["register"]["sepsis-risk"]["dpia"]["date"] = "2024-01-02"
    bp.setdefault("rules", {})["log_retention_days"] = 30
    (stacks / "Pulumi.broken.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    lock = stacks / "health.models.lock.yaml"
    if lock.is_file():
        shutil.copy(lock, stacks / "broken.models.lock.yaml")
    saved = os.environ.get("ALLMENDE_STACKS_DIR")
    os.environ["ALLMENDE_STACKS_DIR"] = str(stacks)
    try:
        yield stacks
    finally:
        if saved is None:
            os.environ.pop("ALLMENDE_STACKS_DIR", None)
        else:
            os.environ["ALLMENDE_STACKS_DIR"] = saved


def test_the_pack_is_red_with_the_right_messages_for_a_broken_stack(
    broken_stacks: Path, root: Path, tmp_path: Path
) -> None:
    with stack_env("broken", tmp_path / "env") as env:
        code, output = _preview_with_pack(env, root, tmp_path)
    assert code != 0, output[-3000:]
    assert "dpia-linked" in output and "sepsis-risk: the DPIA of 2024-01-02 is" in output
    assert "log-retention" in output and "kept 30 days" in output
