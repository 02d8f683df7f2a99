"""`allmende tools build|status`: the Go-built engine and control plane in the tools cache."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

from allmende.toolchain import build_all, tools_dir, tools_status

app = typer.Typer(help="Build the pinned tools from Go modules (Pulumi engine, control plane, kwok).")
out = Console(highlight=False)


@app.command("build")
def build(
    tool: list[str] = typer.Argument(None, help="Only these tools (default: all)."),  # noqa: B008
) -> None:
    """Build every pinned tool not built yet (a second run returns at once)."""
    began = time.monotonic()

    def progress(message: str) -> None:
        out.print(f"[dim]{time.monotonic() - began:7.0f} s[/]  {message}")

    records = build_all(progress=progress, only=tuple(tool or ()))
    out.print(f"{len(records)} tool(s) ready in {tools_dir() / 'bin'}")


@app.command("status")
def status() -> None:
    """Which tools are built, at which versions, and where."""
    table = Table("tool", "version", "built", "build s", "MiB")
    for item in tools_status():
        built = "yes" if item.built else ("missing " + ", ".join(item.missing) if item.missing else "no")
        seconds = f"{item.build_seconds:.0f}" if item.build_seconds is not None else "-"
        size = f"{item.bytes / 1024**2:.0f}" if item.bytes is not None else "-"
        table.add_row(item.tool, item.version, built, seconds, size)
    out.print(table)
    out.print(f"tools directory: {tools_dir()}")
    if not all(item.built for item in tools_status()):
        raise typer.Exit(1)
