"""`allmende demo [STACK]`: tools, local cluster, `pulumi up`, and what was created."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from allmende.blueprints.loader import load
from allmende.devpaths import dev_dir, project_root
from allmende.engine import checked, ensure_stack, pulumi
from allmende.planning import plan_loaded

out = Console(highlight=False, width=140)


def _say(began: float) -> Callable[[str], None]:
    def say(message: str) -> None:
        out.print(f"[dim]{time.monotonic() - began:6.0f} s[/]  {message}")

    return say


def demo(stack: Annotated[str, typer.Argument(help="the stack to deploy")] = "science") -> None:
    """Build the tools if needed, start the local cluster, deploy the stack for real, show the result."""
    from allmende.blueprints import dev_nodes
    from allmende.devcluster import FakeNode, default_crds_dirs, up
    from allmende.toolchain import build_all

    began = time.monotonic()
    say = _say(began)
    loaded = load(stack)
    say("tools: building what is missing (the first build takes long; later runs start at once)")
    build_all(progress=say)
    say(f"local cluster: starting for {stack}")
    cluster = up(dev_dir(), [FakeNode.model_validate(n) for n in dev_nodes(stack)], default_crds_dirs(), progress=say)
    say(f"local cluster: running at {cluster.server}")
    ensure_stack(stack)
    say(f"pulumi up --stack {stack}")
    checked(pulumi(["up", "--yes", "--skip-preview", "--suppress-progress"], stack=stack), "pulumi up")
    outputs = json.loads(checked(pulumi(["stack", "output", "--json"], stack=stack, capture=True), "outputs").stdout)
    _summary(loaded.name, outputs)
    say(f"done: {stack} deployed")


def _summary(stack: str, outputs: dict[str, object]) -> None:
    loaded = load(stack)
    the_plan = plan_loaded(loaded)
    kinds: dict[str, int] = {}
    for obj in the_plan.objects():
        kinds[obj["kind"]] = kinds.get(obj["kind"], 0) + 1
    table = Table(title=f"{stack}: created on the local cluster")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, count in sorted(kinds.items()):
        table.add_row(kind, str(count))
    out.print(table)
    bp = loaded.blueprint
    endpoints = Table(title="services")
    for column in ("service", "tenant", "exposure", "endpoint"):
        endpoints.add_column(column)
    for svc in bp.serving.services:
        namespace = bp.tenant(svc.tenant).namespace
        url = (
            f"https://{svc.name}.{bp.serving.domain}"
            if svc.exposure != "internal"
            else f"http://{svc.name}-predictor.{namespace}.svc (internal)"
        )
        endpoints.add_row(svc.name, svc.tenant, svc.exposure, url)
    out.print(endpoints)
    out.print(f"namespaces: {', '.join(str(n) for n in outputs.get('namespaces', []))}")  # type: ignore[attr-defined]
    out.print(f"kubeconfig: {dev_dir() / 'kubeconfig'}  (export KUBECONFIG=… to look around)")
    from allmende.policies.report import make

    folder = project_root() / ".allmende" / "reports" / stack
    written = make.write(make.report_data(stack, dt.date.today(), None), ["html", "md", "json"], folder)
    out.print(f"report for policy makers: {next(p for p in written if p.suffix == '.html')}")
