"""`PlaybookRun`: a Pulumi dynamic resource that runs a playbook when its inputs change.

Inputs that trigger a run: the playbook's name and digest (its files), the inventory and the
variables. The SSH key and the playbook's secret variables (the join token) are Pulumi secrets:
they reach the provider, never its outputs, and the runner keeps them out of Ansible's artifacts.
A failing host fails the resource with that host's failing task in the message. Deleting the
resource leaves the hosts as they are (a node leaves the cluster by hand: `k3s-agent-uninstall.sh`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi import dynamic

from allmende.errors import AllmendeError
from allmende.modules.gpu_cluster.ansible_plan import AnsibleRun, SecretRef
from allmende.modules.gpu_cluster.ansible_runner import PLAYBOOK_DIR, run_playbook

TRIGGERS = ("playbook", "digest", "inventory", "variables")
SECRET_INPUTS = ("ssh_key", "secrets")


def playbook_digest(playbook: str) -> str:
    """sha256 over the playbook and the task files it may include, by relative path."""
    files = [PLAYBOOK_DIR / f"{playbook}.yml", *sorted((PLAYBOOK_DIR / "tasks").rglob("*.yml"))]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(PLAYBOOK_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _summary(props: Mapping[str, Any]) -> dict[str, Any]:
    """Run the playbook; the per-host outcome (and preflight report) to keep in the state."""
    try:
        result = run_playbook(
            str(props["playbook"]),
            inventory=props["inventory"],
            variables=props["variables"],
            secrets=props.get("secrets") or {},
            ssh_key=props.get("ssh_key") or None,
        )
        result.raise_for_failures()
    except AllmendeError as exc:
        raise RuntimeError(exc.render()) from None
    return {
        host: {"ok": h.ok, **({"checks": h.report.get("checks", {})} if h.report else {})}
        for host, h in sorted(result.hosts.items())
    }


def _outs(props: Mapping[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in props.items() if k not in SECRET_INPUTS}, "report": report}


class PlaybookProvider(dynamic.ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(id_=str(props["name"]), outs=_outs(props, _summary(props)))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        changed = [key for key in TRIGGERS if olds.get(key) != news.get(key)]
        return dynamic.DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult(outs=_outs(news, _summary(news)))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """The hosts stay as they are: un-joining a node is a person's decision."""


PROVIDER = PlaybookProvider()


class PlaybookRun(dynamic.Resource, module="allmende", name="PlaybookRun"):
    """One playbook over the bare-metal hosts, re-run when playbook, inventory or variables change."""

    report: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        name: str,
        run: AnsibleRun,
        ssh_key: pulumi.Input[str],
        secrets: Mapping[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "name": run.name,
            "playbook": run.playbook,
            "digest": playbook_digest(run.playbook),
            "inventory": run.inventory,
            "variables": run.variables,
            "ssh_key": pulumi.Output.secret(ssh_key),
            "secrets": pulumi.Output.secret(pulumi.Output.all(**dict(secrets))) if secrets else {},
            "report": None,
        }
        hidden = pulumi.ResourceOptions(additional_secret_outputs=list(SECRET_INPUTS))
        super().__init__(PROVIDER, name, props, pulumi.ResourceOptions.merge(hidden, opts))


def _kebab(key: str) -> str:
    """bareMetalJoinToken -> bare-metal-join-token"""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", key).lower()


def _secret(
    parent: pulumi.Resource, name: str, ref: SecretRef, made: dict[str, pulumi.Output[str]]
) -> pulumi.Output[str]:
    """The value of a secret config key; a generated value kept in the state when allowed and unset."""
    if ref.config in made:
        return made[ref.config]
    value = pulumi.Config("allmende").get_secret(ref.config)
    if value is None:
        if ref.generate is None:
            raise pulumi.RunError(
                f"the bare-metal hosts need the secret allmende:{ref.config} "
                f"(for the SSH key: `pulumi config set --secret allmende:{ref.config} < <private key file>`)"
            )
        from allmende.generated import GeneratedSecret

        generated = GeneratedSecret(f"{name}-{_kebab(ref.config)}", ref.generate, pulumi.ResourceOptions(parent=parent))
        value = pulumi.Output.secret(generated.result)
    made[ref.config] = value
    return value


def wire(parent: pulumi.Resource, name: str, runs: Sequence[AnsibleRun]) -> dict[str, PlaybookRun]:
    """The plan's Ansible runs as PlaybookRun children of `parent`, each after the runs it names."""
    made: dict[str, pulumi.Output[str]] = {}
    created: dict[str, PlaybookRun] = {}
    for run in runs:
        ssh_key = _secret(parent, name, run.ssh_key, made)
        secrets = {var: _secret(parent, name, ref, made) for var, ref in sorted(run.secrets.items())}
        after = [created[a] for a in run.after if a in created]
        created[run.name] = PlaybookRun(
            f"{name}-{run.name}",
            run,
            ssh_key,
            secrets,
            opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
        )
    return created
