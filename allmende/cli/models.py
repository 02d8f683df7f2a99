"""`allmende models`: the accountable model lifecycle against an MLflow registry.

register → check → evaluate → approve → lock. The registry and the account come from
MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from allmende.errors import AllmendeError
from allmende.models import checks
from allmende.models.client import connect

app = typer.Typer(
    help="The model lifecycle: register, check, evaluate, approve, lock.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)

VersionOpt = Annotated[str, typer.Option("--version", "-v", help="registry version number")]
SectorOpt = Annotated[str | None, typer.Option(help="check against a shipped sector's rules")]
StackOpt = Annotated[str | None, typer.Option(help="check against a stack's rules (its sector plus its overrides)")]


def _results(results: list[checks.Result]) -> None:
    width = max(len(c) for c in checks.CONTROLS)
    for r in results:
        mark = "[green]pass[/]" if r.passed else "[red]FAIL[/]"
        fix = f" [dim]— {escape(r.fix)}[/]" if r.fix and not r.passed else ""
        out.print(f"  {mark}  {r.control:<{width}}  {escape(r.why)}{fix}")


@app.command()
def register(
    source: Annotated[str, typer.Argument(help="an MLflow model folder, runs:/RUN_ID/PATH or models:/m-ID")],
    name: Annotated[str, typer.Option("--name", help="registered model name")],
    card: Annotated[Path | None, typer.Option(help="model card (Markdown, front matter as on Hugging Face)")] = None,
    licence: Annotated[str | None, typer.Option(help="SPDX licence identifier")] = None,
    openness_class: Annotated[int | None, typer.Option(min=1, max=3, help="Model Openness Framework class")] = None,
    source_uri: Annotated[str | None, typer.Option(help="where the model comes from")] = None,
    source_revision: Annotated[str | None, typer.Option(help="pinned revision: commit or sha256:…")] = None,
    dataset: Annotated[list[str] | None, typer.Option(help="a training dataset (repeatable)")] = None,
    base_model: Annotated[str | None, typer.Option(help="the model it was fine-tuned from, or `none`")] = None,
    co2_kg: Annotated[float | None, typer.Option(min=0, help="training emissions, kg CO2e")] = None,
    energy_kwh: Annotated[float | None, typer.Option(min=0, help="training energy, kWh")] = None,
    emissions_source: Annotated[str | None, typer.Option(help="how emissions/energy were measured")] = None,
) -> None:
    """Register a model version with its licence, provenance, emissions and model card."""
    from allmende.models.register import Declared
    from allmende.models.register import register as do_register

    declared = Declared(
        licence=licence,
        openness_class=openness_class,
        source_uri=source_uri,
        source_revision=source_revision,
        datasets=tuple(dataset or ()),
        base_model=base_model,
        co2_kg=co2_kg,
        energy_kwh=energy_kwh,
        emissions_source=emissions_source,
    )
    done = do_register(connect(), source, name, card, declared)
    out.print(f"registered {done.name} version {done.version}")
    for key, value in done.tags.items():
        out.print(f"  {key} = {escape(value)}")
    out.print(f"next: allmende models check {done.name} --version {done.version} --sector SECTOR")


@app.command()
def check(
    name: Annotated[str, typer.Argument(help="registered model name")],
    version: VersionOpt,
    sector: SectorOpt = None,
    stack: StackOpt = None,
) -> None:
    """List each registry control with pass or fail and why. Exit 1 when any fails."""
    from allmende.models.sector import resolve

    label, rules = resolve(sector, stack, required=False)
    registry = connect()
    results = checks.run(registry.facts(name, version), rules)
    out.print(f"{name} version {version} against {label}:")
    _results(results)
    failed = checks.unmet(results)
    out.print(f"{len(results) - len(failed)} of {len(results)} controls pass")
    if failed:
        # SystemExit, not typer.Exit: with standalone_mode=False click returns typer.Exit's code, dropping it
        raise SystemExit(1)


@app.command()
def evaluate(
    name: Annotated[str, typer.Argument(help="registered model name")],
    version: VersionOpt,
    dataset: Annotated[Path, typer.Option(help="CSV file with a header row: feature columns and the target")],
    metric: Annotated[list[str], typer.Option(help='criterion, e.g. "accuracy>=0.9" (repeatable)')],
    target: Annotated[str, typer.Option(help="the dataset column with the expected answers")] = "label",
) -> None:
    """Serve the version with KServe (in-process), score it on the dataset, record the result."""
    from allmende.models.evaluate import evaluate as do_evaluate

    result = do_evaluate(connect(), name, version, dataset, metric, target)
    out.print(f"{name} version {version}: {result.rows} rows through KServe's V2 inference protocol")
    for o in result.outcomes:
        mark = "[green]pass[/]" if o.passed else "[red]FAIL[/]"
        out.print(f"  {mark}  {o.criterion.metric} = {o.value:g}  (needs {o.criterion})")
    out.print(f"report: {result.report_uri}")
    if not result.passed:
        raise AllmendeError(
            f"{name} version {version} failed its evaluation (recorded in the registry)",
            fix="improve the model, register a new version and evaluate it",
        )
    out.print(f"evaluation passed; next: allmende models approve {name} --version {version} --by NAME --sector SECTOR")


@app.command()
def approve(
    name: Annotated[str, typer.Argument(help="registered model name")],
    version: VersionOpt,
    by: Annotated[str, typer.Option(help="the person who answers for this approval")],
    alias: Annotated[str, typer.Option(help="the alias services follow")] = "production",
    sector: SectorOpt = None,
    stack: StackOpt = None,
) -> None:
    """Set the alias on the version, only if every registry control of the sector passes."""
    from allmende.models.approve import approve as do_approve
    from allmende.models.sector import resolve

    label, rules = resolve(sector, stack, required=True)
    done = do_approve(connect(), name, version, by, alias, label, rules)
    moved = f" (was version {done.previous})" if done.previous and done.previous != done.version else ""
    out.print(f"approved: {name} version {version} is now {alias!r}{moved}, by {escape(done.by)} on {done.date}")
    _results(done.results)
    out.print(f"next: allmende models lock STACK (services following {name}@{alias} pick it up)")


@app.command()
def lock(
    stack: Annotated[str, typer.Argument(help="stack name or blueprint file")],
    canary: Annotated[
        bool, typer.Option(help="a service already locked to another version gets the new one as its canary")
    ] = True,
) -> None:
    """Pin each service's model alias to a version, storage URI and checksum: stacks/<stack>.models.lock.yaml."""
    from allmende.models.pinning import lock_stack

    path, locked, changed = lock_stack(connect(), stack, canaries=canary)
    for m in sorted(locked.models, key=lambda m: m.service):
        extra = f", canary version {m.canary.version} at {m.canary.traffic_percent}%" if m.canary else ""
        out.print(
            f"  {m.service}: {m.model}@{m.alias} = version {m.version}{extra}  {m.storage_uri}  {m.checksum[:19]}…"
        )
    out.print(f"{'wrote' if changed else 'unchanged'} {path}")
