"""The bare-metal Ansible runs are plain data from the blueprint: inventory, variables, secret references."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from allmende.blueprints.loader import load
from allmende.blueprints.schema import BareMetal, Blueprint, Host
from allmende.errors import AllmendeError
from allmende.modules.gpu_cluster.ansible_plan import JOIN_TOKEN_CONFIG, AnsibleRun, SecretRef, runs

ROOT = Path(__file__).resolve().parents[4]
CENTRE = str(ROOT / "examples" / "computing-centre-bare-metal" / "blueprint.yaml")


@pytest.fixture(scope="module")
def centre() -> Blueprint:
    return load(CENTRE).blueprint


def _with(blueprint: Blueprint, **changes: Any) -> Blueprint:
    bare_metal = blueprint.cluster.bare_metal
    assert bare_metal is not None
    cluster = blueprint.cluster.model_copy(update={"bare_metal": bare_metal.model_copy(update=changes)})
    return blueprint.model_copy(update={"cluster": cluster})


def _by_playbook(blueprint: Blueprint) -> dict[str, AnsibleRun]:
    return {run.playbook: run for run in runs(blueprint)}


def test_three_runs_in_order(centre: Blueprint) -> None:
    planned = runs(centre)
    assert [(r.name, r.after) for r in planned] == [
        ("bare-metal-preflight", []),
        ("bare-metal-prepare", ["bare-metal-preflight"]),
        ("bare-metal-join", ["bare-metal-prepare"]),
    ]
    assert all(r.inventory == planned[0].inventory for r in planned)


def test_inventory_groups_hosts_by_role_with_their_pool_and_gpus(centre: Blueprint) -> None:
    inventory = _by_playbook(centre)["preflight"].inventory["all"]
    servers = inventory["children"]["servers"]["hosts"]
    agents = inventory["children"]["agents"]["hosts"]
    assert list(servers) == ["nrf-cp-01"]
    assert list(agents) == ["nrf-gpu-01", "nrf-gpu-02", "nrf-gpu-03", "nrf-gpu-04", "nrf-gpu-05"]
    assert servers["nrf-cp-01"] == {
        "allmende_pool": "control",
        "ansible_host": "10.20.0.10",
        "expect_gpus": 0,
        "gpu_product": "",
    }
    assert {h: v["expect_gpus"] for h, v in agents.items()} == {
        "nrf-gpu-01": 8,
        "nrf-gpu-02": 8,
        "nrf-gpu-03": 4,
        "nrf-gpu-04": 4,
        "nrf-gpu-05": 4,
    }
    assert agents["nrf-gpu-03"]["gpu_product"] == "NVIDIA-A100-SXM4-80GB"
    assert inventory["vars"]["ansible_user"] == "ansible"
    assert "StrictHostKeyChecking=accept-new" in inventory["vars"]["ansible_ssh_common_args"]


def test_variables_come_from_the_blueprint(centre: Blueprint) -> None:
    planned = _by_playbook(centre)
    assert planned["prepare"].variables == {
        "container_toolkit": "operator",
        "gpu_driver": "operator",
        "package_mirror": "https://mirror.nrf.example.org/debian",
    }
    assert planned["join"].variables == {
        "artifact_base_url": "https://mirror.nrf.example.org/k3s/v1.36.2+k3s1",
        "distribution": "k3s",
        "first_server": "nrf-cp-01",
        "install_url": "https://mirror.nrf.example.org/k3s/v1.36.2+k3s1/install.sh",
        "server_url": "https://10.20.0.10:6443",
    }
    rke2 = _by_playbook(_with(centre, distribution="rke2"))["join"].variables
    assert rke2["server_url"] == "https://10.20.0.10:9345"
    assert rke2["distribution"] == "rke2"


def test_every_url_is_the_institutions_own(centre: Blueprint) -> None:
    text = json.dumps([r.model_dump() for r in runs(centre)])
    urls = set(re.findall(r"https?://[^\"\s]+", text))
    assert urls and all(u.startswith(("https://mirror.nrf.example.org/", "https://10.20.0.10:")) for u in urls)


def test_secrets_are_references_never_values(centre: Blueprint) -> None:
    planned = _by_playbook(centre)
    assert {r.ssh_key for r in planned.values()} == {SecretRef(config="nrfSshKey")}
    assert planned["join"].secrets == {"join_token": SecretRef(config=JOIN_TOKEN_CONFIG, generate=48)}
    assert planned["preflight"].secrets == {} and planned["prepare"].secrets == {}
    for run in planned.values():
        assert not {"join_token", "token", "ssh_key"} & set(run.variables)


def test_runs_are_deterministic(centre: Blueprint) -> None:
    first = json.dumps([r.model_dump() for r in runs(centre)])
    shuffled = _with(centre, hosts=list(reversed(centre.cluster.bare_metal.hosts)))  # type: ignore[union-attr]
    assert json.dumps([r.model_dump() for r in runs(shuffled)]) == first
    assert json.dumps([r.model_dump() for r in runs(centre)]) == first


def test_no_bare_metal_no_runs() -> None:
    blueprint = load("science").blueprint
    assert blueprint.cluster.bare_metal is None
    assert runs(blueprint) == []


def _hosts(centre: Blueprint) -> list[Host]:
    bare_metal = centre.cluster.bare_metal
    assert isinstance(bare_metal, BareMetal)
    return list(bare_metal.hosts)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda h: [h[0], h[1].model_copy(update={"pool": "nope"})], "hosts[1].pool", "nope"),
        (lambda h: [h[0], h[1].model_copy(update={"pool": "a100"})], "hosts[1].pool", "node_names"),
        (lambda h: [h[1], h[2]], "cluster.bare_metal.hosts", "server"),
        (lambda h: [h[0], h[1], h[1]], "hosts[2].name", "twice"),
    ],
    ids=["unknown-pool", "not-in-node-names", "no-server", "duplicate"],
)
def test_inconsistent_hosts_are_refused_with_path_and_fix(
    centre: Blueprint, change: Any, path: str, words: str
) -> None:
    with pytest.raises(AllmendeError) as caught:
        runs(_with(centre, hosts=change(_hosts(centre))))
    assert caught.value.path.endswith(path)
    assert words in caught.value.message and caught.value.fix
