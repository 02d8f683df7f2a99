"""Bare-metal hosts as Ansible runs: the inventory and variables as plain data, no I/O.

Three playbooks run in order on the blueprint's `cluster.bare_metal.hosts`: `preflight`
(read-only facts and a pass/fail verdict per host), `prepare` (GPU driver and container
toolkit from the institution's package mirror) and `join` (k3s or RKE2 from the blueprint's
`install_url`). Secrets appear here only as references to Pulumi config keys, never as values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from allmende.blueprints.schema import BareMetal, Blueprint, Host, NodePool
from allmende.errors import AllmendeError

Playbook = Literal["preflight", "prepare", "join"]
PLAYBOOKS: tuple[Playbook, ...] = ("preflight", "prepare", "join")

# The join token's Pulumi secret config key; unset, a random token is generated and kept
# (encrypted) in the stack's state.
JOIN_TOKEN_CONFIG = "bareMetalJoinToken"
JOIN_TOKEN_LENGTH = 48
# Where servers listen for joining nodes.
SUPERVISOR_PORT = {"k3s": 6443, "rke2": 9345}
# A new host's SSH key is trusted on first contact and must not change afterwards.
SSH_ARGS = "-o StrictHostKeyChecking=accept-new -o IdentitiesOnly=yes"
MIN_FREE_DISK_GB = 50


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(Frozen):
    """Where a secret comes from: a Pulumi secret config key (`pulumi config set --secret allmende:<key>`).

    generate: the length of a random value kept in the Pulumi state when the key is not set;
    None: the key must be set.
    """

    config: str = Field(min_length=1)
    generate: int | None = Field(default=None, ge=16)


class AnsibleRun(Frozen):
    """One playbook run over the bare-metal hosts; re-run when playbook, inventory or variables change."""

    name: str
    playbook: Playbook
    inventory: dict[str, Any] = Field(description="an Ansible YAML inventory as data")
    variables: dict[str, Any] = Field(description="extra variables, none of them secret")
    ssh_key: SecretRef
    secrets: dict[str, SecretRef] = Field(default={}, description="playbook variable -> its secret source")
    after: list[str] = Field(default=[], description="runs that must succeed first")


def _pool(pools: dict[str, NodePool], host: Host, index: int) -> NodePool:
    path = f"cluster.bare_metal.hosts[{index}].pool"
    pool = pools.get(host.pool)
    if pool is None:
        raise AllmendeError(
            f"host {host.name} names pool {host.pool!r}, which cluster.pools does not declare",
            path=path,
            fix=f"use one of: {', '.join(sorted(pools))}",
        )
    if pool.node_names and host.name not in pool.node_names:
        raise AllmendeError(
            f"host {host.name} is in pool {pool.name}, whose node_names do not list it "
            "(the host joins under its own name, so the pool's labels and taints would miss it)",
            path=path,
            fix=f"add {host.name} to the node_names of pool {pool.name}",
        )
    return pool


def _host_vars(host: Host, pool: NodePool) -> dict[str, Any]:
    return {
        "allmende_pool": pool.name,
        "ansible_host": host.address,
        "expect_gpus": pool.gpu.per_node if pool.gpu else 0,
        "gpu_product": pool.gpu.product if pool.gpu else "",
    }


def inventory(bare_metal: BareMetal, pools: list[NodePool]) -> dict[str, Any]:
    """The hosts in two groups, `servers` and `agents`; names and keys sorted."""
    by_name = {p.name: p for p in pools}
    groups: dict[str, dict[str, Any]] = {"agents": {}, "servers": {}}
    for index, host in enumerate(bare_metal.hosts):
        group = groups["servers" if host.role == "server" else "agents"]
        if host.name in groups["servers"] or host.name in groups["agents"]:
            raise AllmendeError(
                f"host {host.name} is listed twice",
                path=f"cluster.bare_metal.hosts[{index}].name",
                fix="give every host its own name",
            )
        group[host.name] = _host_vars(host, _pool(by_name, host, index))
    if not groups["servers"]:
        raise AllmendeError(
            "no bare-metal host is a server, so there is nothing for the agents to join",
            path="cluster.bare_metal.hosts",
            fix="mark the control-plane host(s) with `role: server`",
        )
    children = {
        name: {"hosts": {h: dict(sorted(v.items())) for h, v in sorted(hosts.items())}}
        for name, hosts in sorted(groups.items())
    }
    return {
        "all": {
            "children": children,
            "vars": {"ansible_ssh_common_args": SSH_ARGS, "ansible_user": bare_metal.ssh_user},
        }
    }


def _join_variables(bare_metal: BareMetal) -> dict[str, Any]:
    servers = sorted((h for h in bare_metal.hosts if h.role == "server"), key=lambda h: h.name)
    first = servers[0]
    port = SUPERVISOR_PORT[bare_metal.distribution]
    return {
        "artifact_base_url": bare_metal.install_url.rsplit("/", 1)[0],
        "distribution": bare_metal.distribution,
        "first_server": first.name,
        "install_url": bare_metal.install_url,
        "server_url": f"https://{first.address}:{port}",
    }


def runs(blueprint: Blueprint) -> list[AnsibleRun]:
    """The preflight, prepare and join runs of the blueprint's bare-metal hosts (none without)."""
    cluster = blueprint.cluster
    bare_metal = cluster.bare_metal
    if bare_metal is None:
        return []
    hosts = inventory(bare_metal, cluster.pools)
    ssh_key = SecretRef(config=bare_metal.ssh_key_secret)
    variables: dict[Playbook, dict[str, Any]] = {
        "preflight": {"min_free_disk_gb": MIN_FREE_DISK_GB},
        "prepare": {
            "container_toolkit": cluster.container_toolkit,
            "gpu_driver": cluster.gpu_driver,
            "package_mirror": bare_metal.package_mirror,
        },
        "join": _join_variables(bare_metal),
    }
    secrets: dict[Playbook, dict[str, SecretRef]] = {
        "join": {"join_token": SecretRef(config=JOIN_TOKEN_CONFIG, generate=JOIN_TOKEN_LENGTH)},
    }
    out: list[AnsibleRun] = []
    for index, playbook in enumerate(PLAYBOOKS):
        out.append(
            AnsibleRun(
                name=f"bare-metal-{playbook}",
                playbook=playbook,
                inventory=hosts,
                variables=dict(sorted(variables[playbook].items())),
                ssh_key=ssh_key,
                secrets=secrets.get(playbook, {}),
                after=[f"bare-metal-{PLAYBOOKS[index - 1]}"] if index else [],
            )
        )
    return out
