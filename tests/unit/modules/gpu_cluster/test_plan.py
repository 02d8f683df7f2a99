from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allmende.blueprints import dev_nodes
from allmende.blueprints.loader import load
from allmende.modules.gpu_cluster import device_plugin, kueue
from allmende.modules.gpu_cluster.plan import plan

ROOT = Path(__file__).resolve().parents[4]
CENTRE = str(ROOT / "examples" / "computing-centre-bare-metal" / "blueprint.yaml")


def _kind(objs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] == kind]


def test_exclusive_pool_nodes_offer_whole_gpus() -> None:
    nodes = {n["name"]: n for n in dev_nodes("science")}
    gpu = nodes["h100-0"]
    assert gpu["capacity"]["nvidia.com/gpu"] == "8"  # type: ignore[index]
    assert gpu["labels"]["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3"  # type: ignore[index]
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert "nvidia.com/gpu" not in nodes["system-0"]["capacity"]  # type: ignore[operator]
    assert len(nodes) == 6


def test_time_slicing_pool_advertises_replicas_and_selects_its_config() -> None:
    (node,) = dev_nodes("manufacturing")
    assert node["capacity"]["nvidia.com/gpu"] == "8"  # type: ignore[index]  # 2 L4 × 4 replicas
    assert node["labels"]["nvidia.com/device-plugin.config"] == "edge-time-slicing"  # type: ignore[index]
    configs = device_plugin.configs(load("manufacturing").blueprint)
    assert "replicas: 4" in configs["edge-time-slicing"]


def test_mig_pool_advertises_slices_and_names_its_profile() -> None:
    bp = load(CENTRE).blueprint
    the_plan = plan(bp)
    patches = {p.node: p for p in the_plan.node_patches}
    assert patches["nrf-gpu-01"].labels["nvidia.com/mig.config"] == "all-1g.10gb"
    assert patches["nrf-gpu-05"].labels["nvidia.com/device-plugin.config"] == "l4-teaching-time-slicing"
    assert patches["nrf-cp-01"].taints == []
    (operator,) = [c for c in the_plan.charts if c.name == "gpu-operator"]
    assert operator.keep_hooks and operator.values["mig"] == {"strategy": "single"}
    assert operator.values["dcgmExporter"] == {"enabled": True}


def test_preinstalled_operators_are_not_installed() -> None:
    the_plan = plan(load("science").blueprint)
    assert the_plan.charts == [] and the_plan.node_patches == []


def test_kueue_queues_per_tenant_in_one_cohort() -> None:
    bp = load("science").blueprint
    objs = plan(bp, cohort="science").objects
    flavors = {f["metadata"]["name"] for f in _kind(objs, "ResourceFlavor")}
    assert flavors == {"cpu-memory", "nvidia-h100-80gb-hbm3"}
    queues = {q["metadata"]["name"]: q["spec"] for q in _kind(objs, "ClusterQueue")}
    assert set(queues) == {"physics", "life-sciences", "humanities"}
    physics = queues["physics"]
    assert physics["cohortName"] == "science" and physics["fairSharing"] == {"weight": 2}
    gpu = physics["resourceGroups"][1]["flavors"][0]["resources"][0]
    assert gpu == {"name": "nvidia.com/gpu", "nominalQuota": 12, "borrowingLimit": 8}
    humanities = queues["humanities"]["resourceGroups"][1]["flavors"][0]["resources"][0]
    assert humanities["lendingLimit"] == 4
    local = {(q["metadata"]["namespace"], q["spec"]["clusterQueue"]) for q in _kind(objs, "LocalQueue")}
    assert local == {("physics", "physics"), ("life-sciences", "life-sciences"), ("humanities", "humanities")}


def test_quota_split_over_flavors_never_exceeds_the_declared_quota() -> None:
    bp = load(CENTRE).blueprint
    for tenant in bp.tenants:
        resources = kueue.gpu_resources(bp, tenant)
        assert sum(r["nominalQuota"] for r in resources.values()) == tenant.gpu.nominal
        assert sum(r["borrowingLimit"] for r in resources.values()) == tenant.gpu.borrowing_limit
        if tenant.gpu.lending_limit is not None:
            assert sum(r["lendingLimit"] for r in resources.values()) <= tenant.gpu.lending_limit


@given(
    st.integers(0, 500), st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 100), min_size=1, max_size=5)
)
def test_split_sums_to_total(total: int, weights: dict[str, int]) -> None:
    parts = kueue.split(total, weights)
    assert set(parts) == set(weights)
    assert sum(parts.values()) == (total if sum(weights.values()) else 0)
    assert all(v >= 0 for v in parts.values())


@pytest.mark.parametrize("stack", ["science", "health", "manufacturing"])
def test_render_shows_pools_quotas_and_queues(stack: str) -> None:
    objs = plan(load(stack).blueprint).objects
    assert _kind(objs, "ClusterQueue") and _kind(objs, "LocalQueue") and _kind(objs, "ResourceFlavor")
