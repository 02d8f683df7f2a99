"""`allmende policy config STACK`: the CrossGuard pack's configuration for one stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from allmende.blueprints.loader import load
from allmende.policies.load import catalogue
from allmende.policies.pack_config import pack_config

app = typer.Typer(help="The accountability policy pack.", no_args_is_help=True, add_completion=False)


@app.command()
def config(
    stack: Annotated[str, typer.Argument(help="stack name or blueprint file")],
    out: Annotated[Path | None, typer.Option("--out", help="write to this file instead of printing")] = None,
) -> None:
    """Write the pack configuration for a stack (for `pulumi preview --policy-pack-config`)."""
    loaded = load(stack)
    text = json.dumps(pack_config(loaded.name, loaded.blueprint, catalogue()), indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
