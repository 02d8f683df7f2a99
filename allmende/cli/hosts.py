"""`allmende hosts preflight`: read-only facts and a pass/fail verdict for each bare-metal host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allmende.errors import AllmendeError

app = typer.Typer(help="Bare-metal hosts brought in with Ansible.", no_args_is_help=True)
out = Console(highlight=False)


def _inventory(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AllmendeError(f"cannot read the inventory {path}: {exc}", fix="pass a YAML or JSON inventory") from None
    if not isinstance(data, dict):
        raise AllmendeError(f"{path} is not a YAML/JSON inventory", fix="start it with `all:`")
    return data


def _table(host: str, report: dict[str, Any]) -> Table:
    table = Table(title=host)
    for column in ("check", "result", "required", "seen"):
        table.add_column(column)
    for name, check in sorted(report.get("checks", {}).items()):
        result = "[green]pass[/]" if check.get("ok") else "[red]fail[/]"
        table.add_row(name, result, "yes" if check.get("required") else "no", escape(str(check.get("value", ""))))
    return table


@app.command()
def preflight(
    target: Annotated[str, typer.Argument(help="a stack name or a blueprint file")],
    inventory: Annotated[
        Path | None, typer.Option(help="a YAML/JSON Ansible inventory instead of the blueprint's hosts")
    ] = None,
    ssh_key: Annotated[
        Path | None, typer.Option(help="the SSH private key file (default: your SSH agent and config)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Check every bare-metal host: GPUs, driver, kernel, cgroup v2, swap, runtime, time sync, disk."""
    from allmende.blueprints.loader import load
    from allmende.modules.gpu_cluster.ansible_plan import runs
    from allmende.modules.gpu_cluster.ansible_runner import run_playbook

    planned = {run.playbook: run for run in runs(load(target).blueprint)}
    run = planned.get("preflight")
    if run is None and inventory is None:
        raise AllmendeError(
            f"{target} declares no bare-metal hosts",
            path="cluster.bare_metal",
            fix="declare cluster.bare_metal.hosts, or pass --inventory",
        )
    hosts = _inventory(inventory) if inventory else run.inventory if run else {}
    variables = run.variables if run else {}
    key = ssh_key.read_text(encoding="utf-8") if ssh_key else None
    result = run_playbook("preflight", hosts, variables, ssh_key=key)
    if as_json:
        out.print_json(json.dumps({h: r.model_dump() for h, r in sorted(result.hosts.items())}, sort_keys=True))
    else:
        for host, outcome in sorted(result.hosts.items()):
            if outcome.report:
                out.print(_table(host, outcome.report))
            verdict = "[green]ready[/]" if outcome.ok else f"[red]not ready[/] ({escape(outcome.message)})"
            out.print(f"{host}: {verdict}")
    result.raise_for_failures()
