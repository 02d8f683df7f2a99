"""`allmende report STACK` and `allmende report diff OLD NEW`: the report for policy makers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from allmende.errors import AllmendeError
from allmende.policies.report import make
from allmende.policies.report.diff import diff as diff_reports
from allmende.policies.report.diff import render_text


class DefaultToShow(TyperGroup):
    """`report STACK …` runs `show`; `report diff OLD NEW` runs `diff`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=DefaultToShow, help="The report for policy makers.", no_args_is_help=True, add_completion=False)


def _day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AllmendeError(f"--date {value!r} is not a date", fix="write it as YYYY-MM-DD") from None


@app.command()
def show(
    stack: Annotated[str, typer.Argument(help="stack name or blueprint file")],
    fmt: Annotated[list[str] | None, typer.Option("--format", help="html, md or json (repeatable)")] = None,
    out: Annotated[Path, typer.Option("--out", help="folder for the files")] = Path("out/report"),
    evidence: Annotated[
        Path | None,
        typer.Option(help="JSON file of dated runtime check results (default: the newest `allmende audit` record)"),
    ] = None,
    on: Annotated[str | None, typer.Option("--date", help="the report's date (default: today)")] = None,
) -> None:
    """Write the report of a stack: a summary, register entries, policy cards, energy."""
    formats = fmt or ["html", "md", "json"]
    unknown = [f for f in formats if f not in make.FORMATS]
    if unknown:
        raise AllmendeError(f"unknown format {unknown[0]!r}", fix=f"use one of: {', '.join(make.FORMATS)}")
    data = make.report_data(stack, _day(on), evidence)
    for path in make.write(data, formats, out):
        typer.echo(f"wrote {path}")
    counts = data["summary"]["counts"]
    typer.echo(
        f"{data['stack']}: {counts['met']} met, {counts['not-met']} not met, "
        f"{counts['exception']} exception, {counts['pending']} waiting for a first check"
    )


def _report(target: str, on: date) -> dict[str, Any]:
    path = Path(target)
    if path.suffix == ".json":
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AllmendeError(f"cannot read the report {path}: {exc}", fix="name a report JSON file") from None
        return data
    return make.report_data(target, on)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="old report (.json) or stack/blueprint")],
    new: Annotated[str, typer.Argument(help="new report (.json) or stack/blueprint")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    on: Annotated[str | None, typer.Option("--date", help="date for reports built from stacks")] = None,
) -> None:
    """What changed between two versions of the declarations."""
    day = _day(on)
    result = diff_reports(_report(old, day), _report(new, day))
    typer.echo(
        json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) if as_json else render_text(result),
        nl=not as_json,
    )
