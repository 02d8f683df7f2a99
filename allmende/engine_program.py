"""What `stacks/__main__.py` runs: load → plan → SectorStack → outputs."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from allmende.blueprints.loader import load_file, stacks_dir
from allmende.blueprints.schema import Cluster
from allmende.planning import plan_loaded
from allmende.stack import SectorStack


def kubeconfig_of(cluster: Cluster, stacks: Path) -> tuple[str, str | None]:
    """(kubeconfig path, context) the provider uses."""
    if cluster.kind == "local":
        from allmende.devpaths import dev_kubeconfig

        return str(dev_kubeconfig()), None
    assert cluster.kubeconfig is not None
    return str((stacks / cluster.kubeconfig).expanduser()), cluster.context


def run(stack: str) -> None:
    stacks = stacks_dir()
    loaded = load_file(stacks / f"Pulumi.{stack}.yaml", stack)
    the_plan = plan_loaded(loaded)
    kubeconfig, context = kubeconfig_of(loaded.blueprint.cluster, stacks)
    provider = k8s.Provider(
        "cluster",
        kubeconfig=kubeconfig,
        context=context,
        enable_server_side_apply=True,
        # ConfigMaps are changed in place (the policy parameters must never be briefly absent)
        enable_config_map_mutable=True,
    )
    sector = SectorStack(stack, the_plan, pulumi.ResourceOptions(provider=provider))
    pulumi.export("sector", loaded.blueprint.sector)
    pulumi.export("namespaces", sector.namespaces)
    pulumi.export("objects", len(the_plan.objects()))
