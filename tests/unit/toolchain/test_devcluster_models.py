"""The dev cluster's typed inputs and what they become (no cluster needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from allmende.devcluster import FakeNode
from allmende.devcluster.components import kube_apiserver, kwok
from allmende.devcluster.crds import ENV_CRDS_DIR, crds_root, default_crds_dirs
from allmende.devcluster.kube import crd_documents, node_manifest
from allmende.devcluster.models import ClusterStatus, ComponentStatus, Ports
from allmende.devcluster.pki import ensure_pki

PORTS = Ports(etcd_client=1, etcd_peer=2, apiserver=3, controller_manager=4, scheduler=5, kwok=6)


def test_fake_gpu_node_manifest() -> None:
    node = FakeNode.model_validate(
        {
            "name": "gpu-0",
            "labels": {"nvidia.com/gpu.present": "true"},
            "taints": [{"key": "nvidia.com/gpu", "value": "present"}],
            "capacity": {"cpu": "64", "memory": "512Gi", "nvidia.com/gpu": 8},
        }
    )
    manifest = node_manifest(node)
    assert manifest["metadata"]["annotations"]["kwok.x-k8s.io/node"] == "fake"
    assert manifest["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
    assert manifest["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert manifest["status"]["allocatable"] == {"cpu": "64", "memory": "512Gi", "pods": "110", "nvidia.com/gpu": "8"}


def test_cpu_node_has_no_gpu_resource() -> None:
    assert "nvidia.com/gpu" not in node_manifest(FakeNode(name="cpu-0"))["status"]["capacity"]


def test_bad_node_input_is_refused() -> None:
    with pytest.raises(ValidationError):
        FakeNode.model_validate({"name": "Bad_Name"})
    with pytest.raises(ValidationError):
        FakeNode.model_validate({"name": "n", "taints": [{"key": "k", "effect": "Sometimes"}]})
    with pytest.raises(ValidationError):
        FakeNode.model_validate({"name": "n", "gpus": 3})


def test_apiserver_flags_enable_rbac_and_the_admission_plugins(tmp_path: Path) -> None:
    argv = kube_apiserver(Path("/bin/kube-apiserver"), ensure_pki(tmp_path), PORTS)
    assert "--authorization-mode=RBAC" in argv
    plugins = next(a for a in argv if a.startswith("--enable-admission-plugins=")).split("=", 1)[1].split(",")
    assert {"ResourceQuota", "ValidatingAdmissionPolicy", "PodSecurity"} <= set(plugins)
    assert "--bind-address=127.0.0.1" in argv and "--secure-port=3" in argv


def test_kwok_manages_only_annotated_nodes() -> None:
    argv = kwok(Path("/bin/kwok"), Path("/k"), [Path("/s.yaml")], PORTS)
    assert "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake" in argv
    assert "--config=/s.yaml" in argv


def test_pki_is_generated_once(tmp_path: Path) -> None:
    first = ensure_pki(tmp_path)
    ca = first.ca_cert.read_bytes()
    assert ensure_pki(tmp_path).ca_cert.read_bytes() == ca
    assert oct(first.admin_key.stat().st_mode & 0o777) == "0o600"


def test_crd_documents_read_only_crds_without_status(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: xs.example.org}\n"
        "status: {conditions: null}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n"
    )
    docs = crd_documents([tmp_path])
    assert [d["metadata"]["name"] for d in docs] == ["xs.example.org"]
    assert "status" not in docs[0]


def test_crds_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "kserve-v0.20.0").mkdir()
    monkeypatch.setenv(ENV_CRDS_DIR, str(tmp_path))
    assert crds_root() == tmp_path
    assert default_crds_dirs() == [tmp_path / "kserve-v0.20.0"]


def test_status_names_the_dead_component() -> None:
    comps = tuple(
        ComponentStatus(name=n, pid=None if n == "kwok" else 1, running=n != "kwok", log="")
        for n in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
    )
    status = ClusterStatus(state_dir="s", kubeconfig="k", server="", components=comps)
    assert status.dead == ("kwok",) and not status.running and not status.stopped
