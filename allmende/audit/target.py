"""Which cluster an audit reads: the one named on the command line, else the one the stack deploys to."""

from __future__ import annotations

from pathlib import Path

from allmende.blueprints.schema import Cluster
from allmende.devpaths import dev_kubeconfig


def kubeconfig_for(
    cluster: Cluster, source: Path, kubeconfig: Path | None, context: str | None
) -> tuple[Path, str | None]:
    """(kubeconfig, context): as given, else as the stack's `cluster:` says (the same rule the
    Pulumi program follows: the local dev cluster, or the blueprint's kubeconfig beside it)."""
    if kubeconfig is not None:
        return kubeconfig.expanduser(), context
    if cluster.kind == "local":
        return dev_kubeconfig(), context
    assert cluster.kubeconfig is not None  # the schema requires it for kind `kubeconfig`
    return (source.parent / cluster.kubeconfig).expanduser(), context or cluster.context
