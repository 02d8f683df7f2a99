"""Each tamper an administrator could make is reported under the right control and object."""

from __future__ import annotations

import pytest

from allmende.audit.results import DECLARED_STATE, Result, exit_code, summary
from allmende.audit.run import judge
from allmende.audit.snapshot import Snapshot
from allmende.blueprints.schema import Blueprint, ExceptionDecl
from allmende.modules.labels import OWNER
from tests.unit.allmende.audit.live_like import TODAY, approved_tags, edit, snapshot_of, stack, without


def audit(name: str, snap: Snapshot, bp: Blueprint | None = None) -> list[Result]:
    blueprint, plan, lock = stack(name)
    assert lock is not None
    tags = approved_tags(lock)
    return judge(bp or blueprint, plan, lock, snap, TODAY, lambda m, v: tags[(m, v)])


def failing(results: list[Result]) -> set[tuple[str, str]]:
    return {(r.control, r.subject) for r in results if r.status == "not-met"}


@pytest.mark.parametrize("name", ["science", "health"])
def test_a_cluster_as_deployed_is_clean(name: str) -> None:
    results = audit(name, snapshot_of(name))
    assert [r for r in results if r.status != "met"] == []
    assert exit_code(results) == 0
    assert set(summary(results)) >= {
        "approved-by-person",
        "default-deny-network",
        "gpu-quota-per-tenant",
        "payload-logging-denied",
        "pod-security-restricted",
        "register-labels",
    }


def test_a_deleted_network_policy() -> None:
    results = audit("science", without(snapshot_of("science"), "NetworkPolicy", "default-deny", "physics"))
    assert failing(results) == {
        ("default-deny-network", "NetworkPolicy physics/default-deny"),
        ("default-deny-network", "Namespace physics"),
    }
    assert exit_code(results) == 1


def test_a_raised_quota() -> None:
    snap, quota = edit(snapshot_of("science"), "ResourceQuota", "tenant-quota", "physics")
    quota["spec"]["hard"]["requests.nvidia.com/gpu"] = "64"
    results = audit("science", snap)
    assert failing(results) == {("gpu-quota-per-tenant", "ResourceQuota physics/tenant-quota")}
    messages = [r.message for r in results if r.status == "not-met"]
    assert any("GPU quota is 64, declared" in m for m in messages)
    assert any("requests.nvidia.com/gpu: declared" in m for m in messages)


def test_a_removed_binding() -> None:
    snap = without(snapshot_of("science"), "ValidatingAdmissionPolicyBinding", "allmende-payload-logging-denied")
    results = audit("science", snap)
    assert failing(results) == {
        ("payload-logging-denied", "ValidatingAdmissionPolicyBinding allmende-payload-logging-denied")
    }


def test_patched_inference_service_annotations() -> None:
    snap, isvc = edit(snapshot_of("science"), "InferenceService", "campus-chat", "humanities")
    del isvc["metadata"]["annotations"][OWNER]
    results = audit("science", snap)
    assert failing(results) == {("register-labels", "InferenceService humanities/campus-chat")}
    assert {r.service for r in results if r.status == "not-met"} == {"campus-chat"}


def test_a_swapped_model_is_not_the_approved_one() -> None:
    snap, isvc = edit(snapshot_of("science"), "InferenceService", "campus-chat", "humanities")
    isvc["spec"]["predictor"]["model"]["storageUri"] = "hf://someone/else"
    results = audit("science", snap)
    assert failing(results) == {("approved-by-person", "InferenceService humanities/campus-chat")}


def test_payload_logging_on_is_reported_and_an_exception_lifts_it() -> None:
    snap, isvc = edit(snapshot_of("science"), "InferenceService", "campus-chat", "humanities")
    isvc["spec"]["predictor"]["logger"] = {"mode": "all", "url": "http://collector"}
    results = audit("science", snap)
    assert ("payload-logging-denied", "InferenceService humanities/campus-chat") in failing(results)
    bp, _, _ = stack("science")
    exception = ExceptionDecl.model_validate(
        {
            "control": "payload-logging-denied",
            "services": ["campus-chat"],
            "reason": "consented research logging, ethics approval 2026-17",
            "approver": "Ethics board",
            "expires": "2027-03-01",
        }
    )
    accountability = bp.accountability.model_copy(update={"exceptions": [*bp.accountability.exceptions, exception]})
    lifted = bp.model_copy(update={"accountability": accountability})
    results = audit("science", snap, lifted)
    statuses = {r.status for r in results if r.control == "payload-logging-denied" and r.service == "campus-chat"}
    assert "exception" in statuses and "not-met" not in statuses


def test_unexpected_objects_in_allmende_namespaces() -> None:
    snap = snapshot_of("science")
    extra = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-all-egress", "namespace": "physics"},
        "spec": {"podSelector": {}, "egress": [{}], "policyTypes": ["Egress"]},
    }
    owned = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "made-by-kserve", "namespace": "physics", "ownerReferences": [{"kind": "X"}]},
    }
    elsewhere = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "x", "namespace": "other"},
    }
    snap.objects["networking.k8s.io/v1/NetworkPolicy"] += [extra, elsewhere]
    snap.objects["v1/ServiceAccount"].append(owned)
    assert failing(audit("science", snap)) == {("egress-allowlist", "NetworkPolicy physics/allow-all-egress")}


def test_gpu_requests_above_the_quota() -> None:
    snap = snapshot_of("science")
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "greedy", "namespace": "physics"},
        "spec": {"containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": "99"}}}]},
        "status": {"phase": "Running"},
    }
    snap.objects["v1/Pod"].append(pod)
    assert ("gpu-quota-per-tenant", "GPU requests in physics") in failing(audit("science", snap))


def test_a_removed_taint_and_region_label() -> None:
    bp, _, _ = stack("health")
    pool = next(p for p in bp.cluster.pools if p.gpu is not None and p.taints)
    name = f"{pool.name}-0" if not pool.node_names else pool.node_names[0]
    snap, node = edit(snapshot_of("health"), "Node", name)
    node["spec"]["taints"] = []
    node["metadata"]["labels"].pop("topology.kubernetes.io/region", None)
    found = failing(audit("health", snap))
    assert ("gpu-limits-set", f"Node {name}") in found
    if pool.region:
        assert ("data-residency", f"Node {name}") in found


def test_a_kind_the_auditor_may_not_read_is_could_not_check() -> None:
    snap = snapshot_of("science")
    del snap.objects["networking.k8s.io/v1/NetworkPolicy"]
    snap.unreadable["networking.k8s.io/v1/NetworkPolicy"] = "the audit's credentials may not list networkpolicies"
    results = audit("science", snap)
    assert {r.control for r in results if r.status == "could-not-check"} == {"default-deny-network", "egress-allowlist"}
    assert not failing(results)
    assert exit_code(results) == 1


def test_drift_of_an_object_without_a_control_is_declared_state() -> None:
    snap = without(snapshot_of("science"), "ClusterRole", "allmende-auditor")
    assert failing(audit("science", snap)) == {(DECLARED_STATE, "ClusterRole allmende-auditor")}
