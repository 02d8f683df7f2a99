"""`allmende plan capacity`: what each model needs, where it goes, and how well GPUs are used."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from allmende.blueprints.capacity import memory_need, plan_capacity
from allmende.blueprints.loader import load, stack_names

app = typer.Typer(help="Plans derived from a blueprint.", no_args_is_help=True)
out = Console(highlight=False)


def _services_table(name: str) -> tuple[Table, Table]:
    loaded = load(name)
    bp = loaded.blueprint
    capacity = plan_capacity(bp)
    services = Table(title=f"{loaded.name}: services")
    for column in (
        "service",
        "pool",
        "weights GB",
        "KV cache GB",
        "overhead GB",
        "needs GB",
        "GPU units",
        "replicas",
        "nodes",
        "parallel",
        "kWh/month",
    ):
        services.add_column(column, justify="left" if column in ("service", "pool", "nodes") else "right")
    for svc in bp.serving.services:
        placed = capacity.placement(svc.name)
        need = memory_need(svc)
        if placed is None:
            services.add_row(svc.name, "-", *["-"] * 8, f"[red]{capacity.unplaced.get(svc.name, '')}[/]")
            continue
        services.add_row(
            svc.name,
            placed.pool or "(CPU)",
            f"{need.weights_gb:.1f}" if need else "-",
            f"{need.kv_cache_gb:.1f}" if need else "-",
            f"{need.overhead_gb:.1f}" if need else "-",
            f"{need.total_gb:.1f}" if need else "-",
            str(placed.units),
            str(placed.replicas),
            ", ".join(sorted(set(placed.nodes))) or "-",
            f"TP{placed.tensor_parallel}×PP{placed.pipeline_parallel}" if placed.units else "-",
            f"{placed.energy_kwh_month:.0f}",
        )
    pools = Table(title=f"{loaded.name}: GPU pools")
    for column in ("pool", "GPUs used", "of", "lower bound", "units used", "of", "utilisation", "fragmentation"):
        pools.add_column(column, justify="left" if column == "pool" else "right")
    for usage in capacity.pools:
        pools.add_row(
            usage.pool,
            str(usage.gpus_used),
            str(usage.gpus_total),
            str(usage.lower_bound),
            str(usage.units_used),
            str(usage.units_total),
            f"{usage.utilisation:.0%}",
            f"{usage.fragmentation:.0%}",
        )
    return services, pools


@app.command()
def capacity(
    target: Annotated[str | None, typer.Argument(help="stack name or blueprint file (default: every stack)")] = None,
) -> None:
    """Memory per model, placement per pool, GPUs used against the lower bound, energy."""
    for name in [target] if target else stack_names():
        for table in _services_table(name):
            out.print(table)
    out.print(
        "lower bound = memory needed ÷ memory of one GPU, rounded up; "
        "utilisation = memory needed ÷ memory of the GPUs used; "
        "fragmentation = free units stranded on partly used nodes"
    )
