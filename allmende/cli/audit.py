"""`allmende audit STACK`: the running cluster against the declarations, as dated evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from allmende.audit import show
from allmende.audit.run import audit as run_audit


def audit(
    stack: Annotated[str, typer.Argument(help="stack name or blueprint file")],
    kubeconfig: Annotated[
        Path | None, typer.Option(help="kubeconfig of the cluster (default: the one the stack deploys to)")
    ] = None,
    context: Annotated[str | None, typer.Option(help="context in the kubeconfig")] = None,
    out: Annotated[Path | None, typer.Option(help="also write audit-STACK.json and audit-STACK.md here")] = None,
) -> None:
    """Compare the cluster with the Plan, check the catalogue's controls, append dated evidence.

    Exit code 0: everything met; 1: something not met or not checkable; 2: bad input or no cluster.
    """
    result = run_audit(stack, kubeconfig, context)
    console = Console(highlight=False, width=160)
    show.print_audit(console, result.record, result.results, result.log)
    if out is not None:
        for path in show.write(out, result.record, result.results):
            console.print(f"wrote {path}")
    if result.exit_code:
        # SystemExit, not typer.Exit: the CLI runs click with standalone_mode=False, which
        # turns typer.Exit into a return value and the process would end with 0.
        raise SystemExit(result.exit_code)
