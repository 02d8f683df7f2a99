"""PlaybookRun under Pulumi mocks: one resource per planned run, secrets as Pulumi secrets."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from allmende.blueprints.loader import load
from allmende.modules.gpu_cluster import bare_metal
from allmende.modules.gpu_cluster.ansible_plan import runs
from tests.component.conftest import RecordingMocks

ROOT = Path(__file__).resolve().parents[3]
CENTRE = str(ROOT / "examples" / "computing-centre-bare-metal" / "blueprint.yaml")
SSH_KEY = "fake-ssh-key-for-mocks"
TOKEN = "fake-join-token-for-mocks-0123456789"
RUN_TYPE = "pulumi-python:dynamic/allmende:PlaybookRun"
# How a secret input reaches the engine (and so the mocks): wrapped with Pulumi's secret signature.
SIG, SECRET = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


def _secret(value: Any) -> dict[str, Any]:
    return {SIG: SECRET, "value": value}


class Parent(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("allmende:index:GpuCluster", name)


@pytest.fixture
def secret_config() -> Iterator[dict[str, str]]:
    """Pulumi config (process-global) with the SSH key and the join token set as secrets."""
    config = {"allmende:nrfSshKey": SSH_KEY, "allmende:bareMetalJoinToken": TOKEN}
    pulumi.runtime.set_all_config(config, list(config))
    yield config
    pulumi.runtime.set_all_config({}, [])


GENERATED = "pulumi-python:dynamic:Resource"


@pulumi.runtime.test
def test_one_playbook_run_per_planned_run(mocks: RecordingMocks, secret_config: dict[str, str]) -> pulumi.Output[Any]:
    planned = runs(load(CENTRE).blueprint)
    created = bare_metal.wire(Parent("gpu-cluster"), "gpu-cluster", planned)
    assert list(created) == ["bare-metal-preflight", "bare-metal-prepare", "bare-metal-join"]

    def check(secret_flags: list[bool]) -> None:
        recorded = [r for r in mocks.resources if r.typ == RUN_TYPE]
        assert [r.name for r in recorded] == [f"gpu-cluster-{run.name}" for run in planned]
        for args, run in zip(recorded, planned, strict=True):
            assert args.inputs["playbook"] == run.playbook
            assert args.inputs["digest"] == bare_metal.playbook_digest(run.playbook)
            assert args.inputs["inventory"] == run.inventory
            assert args.inputs["variables"] == run.variables
            assert args.inputs["ssh_key"] == _secret(SSH_KEY)  # reaches the engine marked secret
        assert recorded[2].inputs["secrets"] == _secret({"join_token": TOKEN})
        assert [r.inputs["secrets"] for r in recorded[:2]] == [{}, {}]
        assert not [r for r in mocks.resources if r.typ == GENERATED]  # the configured token is used
        assert all(secret_flags), "the SSH key and the join token must be Pulumi secrets"

    outputs: list[pulumi.Output[Any]] = [run.ssh_key for run in created.values()]  # type: ignore[attr-defined]
    outputs.append(created["bare-metal-join"].secrets)  # type: ignore[attr-defined]
    flags = pulumi.Output.all(*[o.is_secret() for o in outputs])
    return pulumi.Output.all(flags, *[r.urn for r in created.values()]).apply(lambda v: check(v[0]))


@pulumi.runtime.test
def test_an_unset_join_token_is_generated_once(
    mocks: RecordingMocks, secret_config: dict[str, str]
) -> pulumi.Output[Any]:
    del secret_config["allmende:bareMetalJoinToken"]
    pulumi.runtime.set_all_config(secret_config, list(secret_config))
    created = bare_metal.wire(Parent("gpu-cluster"), "gpu-cluster", runs(load(CENTRE).blueprint))

    def check(_: Any) -> None:
        generated = [r for r in mocks.resources if r.typ == GENERATED and "length" in r.inputs]
        assert [(p.name, p.inputs["length"]) for p in generated] == [("gpu-cluster-bare-metal-join-token", 48)]

    return pulumi.Output.all(*[r.urn for r in created.values()]).apply(check)


@pulumi.runtime.test
def test_a_missing_ssh_key_is_named(mocks: RecordingMocks) -> None:
    pulumi.runtime.set_all_config({}, [])
    with pytest.raises(pulumi.RunError, match="allmende:nrfSshKey"):
        bare_metal.wire(Parent("gpu-cluster"), "gpu-cluster", runs(load(CENTRE).blueprint))


def test_a_run_is_repeated_only_when_its_inputs_change() -> None:
    provider = bare_metal.PlaybookProvider()
    old = {"playbook": "join", "digest": "a", "inventory": {"all": {}}, "variables": {"x": 1}, "report": {}}
    same = {**old, "ssh_key": "rotated", "secrets": {"join_token": "rotated"}}
    assert provider.diff("id", old, same).changes is False
    for key, value in (("digest", "b"), ("inventory", {"all": {"hosts": {}}}), ("variables", {"x": 2})):
        assert provider.diff("id", old, {**old, key: value}).changes is True
    assert provider.diff("id", old, {**old, "variables": {"x": 2}}).replaces == []


def test_the_digest_follows_the_playbook_files() -> None:
    digests = {p: bare_metal.playbook_digest(p) for p in ("preflight", "prepare", "join")}
    assert len(set(digests.values())) == 3
    assert bare_metal.playbook_digest("join") == digests["join"]


def test_a_failing_host_fails_the_resource_with_its_task() -> None:
    """The provider's create path, through the real runner: no join token, so the first task fails."""
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_become": False}
    props = {
        "name": "bare-metal-join",
        "playbook": "join",
        "digest": bare_metal.playbook_digest("join"),
        "inventory": {"all": {"children": {"servers": {"hosts": {"node-a": local}}}}},
        "variables": {"distribution": "k3s"},
        "ssh_key": "",
        "secrets": {},
    }
    with pytest.raises(RuntimeError, match=r"node-a: task 'Join token and installer are given'"):
        bare_metal.PlaybookProvider().create(props)
