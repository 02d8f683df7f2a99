"""`allmende dev up|down|status|kubeconfig`: the local cluster with simulated GPU nodes."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from allmende.devcluster import FakeNode, default_crds_dirs, down, kubeconfig_path, status, up
from allmende.devcluster.crds import repo_root

app = typer.Typer(help="The local dev cluster: etcd, kube-apiserver, controller-manager, scheduler, kwok.")
out = Console(highlight=False)

STATE_OPTION = typer.Option(None, "--state-dir", help="Cluster state directory (default: .allmende/dev).")


def _state_dir(state_dir: Path | None) -> Path:
    return state_dir if state_dir is not None else repo_root() / ".allmende" / "dev"


@app.command("up")
def up_cmd(
    stack: str = typer.Argument("", help="Stack whose blueprint decides the fake nodes (none: no nodes)."),
    state_dir: Path | None = STATE_OPTION,
) -> None:
    """Start the cluster (or keep it running), add the stack's fake nodes and the operators' CRDs."""
    nodes: list[FakeNode] = []
    if stack:
        from allmende.blueprints import dev_nodes  # the blueprint decides the node pools

        nodes = [FakeNode.model_validate(n) for n in dev_nodes(stack)]
    began = time.monotonic()

    def progress(message: str) -> None:
        out.print(f"[dim]{time.monotonic() - began:5.0f} s[/]  {message}")

    result = up(_state_dir(state_dir), nodes, default_crds_dirs(), progress=progress)
    out.print(f"cluster running at {result.server}")
    out.print(f"export KUBECONFIG={result.kubeconfig}")


@app.command("down")
def down_cmd(state_dir: Path | None = STATE_OPTION) -> None:
    """Stop the processes `dev up` started (the cluster's data stays for the next `up`)."""
    stopped = down(_state_dir(state_dir))
    out.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command("status")
def status_cmd(state_dir: Path | None = STATE_OPTION) -> None:
    """Each component and whether it runs; exit 1 if any component that should run died."""
    result = status(_state_dir(state_dir))
    table = Table("component", "pid", "running", "log")
    for comp in result.components:
        table.add_row(comp.name, str(comp.pid or "-"), "yes" if comp.running else "no", comp.log)
    out.print(table)
    if result.running:
        out.print(f"running at {result.server}; KUBECONFIG={result.kubeconfig}")
    elif result.stopped:
        out.print("stopped")
    else:
        out.print(f"[bold red]died:[/] {', '.join(result.dead)} — run `allmende dev up` to restart")
        raise typer.Exit(1)


@app.command("kubeconfig")
def kubeconfig_cmd(state_dir: Path | None = STATE_OPTION) -> None:
    """Print the path of the cluster's kubeconfig (use: `export KUBECONFIG=$(allmende dev kubeconfig)`)."""
    print(kubeconfig_path(_state_dir(state_dir).resolve()))
