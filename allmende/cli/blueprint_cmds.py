"""init, validate, render, explain: the commands that work on a Blueprint and its Plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from allmende.blueprints import explain as explaining
from allmende.blueprints.init import write_stack
from allmende.blueprints.loader import load, stack_names, stacks_dir
from allmende.errors import AllmendeError
from allmende.planning import plan_loaded
from allmende.render import files, write_tree

out = Console(highlight=False)


def init(
    sector: Annotated[str, typer.Argument(help="science | health | manufacturing")],
    stack: Annotated[str | None, typer.Option(help="stack name (default: the sector)")] = None,
    force: Annotated[bool, typer.Option(help="replace an existing stack file")] = False,
) -> None:
    """Write a commented stack file for a sector, ready to edit."""
    path = write_stack(stacks_dir(), sector, stack or sector, force=force)
    out.print(f"wrote {path}\nnext: edit it, then `allmende validate {stack or sector}`")


def validate(
    target: Annotated[str | None, typer.Argument(help="stack name or blueprint file (default: every stack)")] = None,
) -> None:
    """Check a blueprint: every problem at once, each with its dotted path and a fix."""
    targets = [target] if target else stack_names()
    if not targets:
        raise AllmendeError("no stacks found", fix="run `allmende init <sector>` or name a blueprint file")
    failed: list[AllmendeError] = []
    for name in targets:
        try:
            loaded = load(name)
        except AllmendeError as exc:
            failed.append(exc)
            continue
        bp = loaded.blueprint
        out.print(
            f"[green]ok[/] {loaded.name}: {bp.sector}, {len(bp.tenants)} tenants, "
            f"{len(bp.cluster.pools)} pools, {len(bp.serving.services)} services"
        )
    if len(failed) == 1:
        raise failed[0]
    if failed:
        raise AllmendeError("\n".join(exc.render() for exc in failed))


def render(
    target: Annotated[str, typer.Argument(help="stack name or blueprint file")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write (replaced whole)")] = Path("out"),
) -> None:
    """Write the Plan as YAML, one file per object, plus the bill of materials."""
    loaded = load(target)
    contents = files(plan_loaded(loaded))
    write_tree(contents, out_dir)
    out.print(f"wrote {len(contents)} files to {out_dir}")


def explain(
    target: Annotated[str, typer.Argument(help="stack name or blueprint file")],
    only: Annotated[str | None, typer.Option(help="show paths starting with this prefix")] = None,
) -> None:
    """Show the merged blueprint and where each value came from."""
    loaded = load(target)
    table = Table(title=f"{loaded.name}: " + " → ".join(loaded.layers), show_lines=False)
    table.add_column("path", overflow="fold")
    table.add_column("value", overflow="fold")
    table.add_column("from")
    for path, value, origin in explaining.rows(loaded):
        if only is None or path.startswith(only):
            table.add_row(Text(path), Text(value), Text(origin))
    out.print(table)


def register(app: typer.Typer) -> None:
    for command in (init, validate, render, explain):
        app.command()(command)
