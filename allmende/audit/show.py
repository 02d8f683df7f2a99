"""The audit for people: a summary table per control, the failing objects, and Markdown/JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from allmende.audit.results import Result, by_control, control_status

WORDS = {"met": "met", "not-met": "NOT MET", "exception": "exception", "could-not-check": "could not check"}
STYLE = {"met": "green", "not-met": "bold red", "exception": "yellow", "could-not-check": "magenta"}


def headline(record: dict[str, Any]) -> str:
    c = record["counts"]
    return (
        f"{record['stack']} on {record['cluster']['server']} at {record['date']}: "
        f"{c['met']} met, {c['not-met']} not met, {c['exception']} exception, {c['could-not-check']} could not check"
    )


def table(results: list[Result]) -> Table:
    out = Table(title="controls in the running cluster", title_justify="left")
    for column in ("control", "status", "checked", "problems"):
        out.add_column(column)
    for control, rs in by_control(results).items():
        status = control_status(rs)
        problems = [r for r in rs if r.status != "met"]
        shown = "; ".join(f"{r.subject}: {r.message}" for r in problems[:2])
        if len(problems) > 2:
            shown += f"; +{len(problems) - 2} more"
        out.add_row(control, f"[{STYLE[status]}]{WORDS[status]}[/]", str(len(rs)), shown)
    return out


def print_audit(console: Console, record: dict[str, Any], results: list[Result], log: Path) -> None:
    console.print(table(results))
    for r in results:
        if r.status in ("not-met", "could-not-check"):
            how = f" — fix: {r.fix}" if r.fix else ""
            console.print(f"[{STYLE[r.status]}]{WORDS[r.status]}[/] {r.control}: {r.subject}: {r.message}{how}")
    console.print(headline(record))
    console.print(f"evidence: {log} (record {record['hash'][:12]}…)")


def markdown(record: dict[str, Any], results: list[Result]) -> str:
    lines = [
        f"# Audit of {record['stack']}",
        "",
        f"- date: {record['date']}",
        f"- by: {record['by']}" + (f" (cluster user {record['cluster']['user']})" if record["cluster"]["user"] else ""),
        f"- cluster: {record['cluster']['server']} (Kubernetes {record['cluster']['version']})",
        f"- plan: {record['plan_hash']}",
        f"- record: {record['hash']} (follows {record['prev']})",
        "",
        "| control | status | subject | what |",
        "| --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| {r.control} | {WORDS[r.status]} | {r.subject} | {r.message.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def write(out: Path, record: dict[str, Any], results: list[Result]) -> list[Path]:
    """`audit-<stack>.json` (the record as logged) and `audit-<stack>.md`, written whole or not at all."""
    rendered = {
        f"audit-{record['stack']}.json": json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        f"audit-{record['stack']}.md": markdown(record, results),
    }
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in rendered.items():
        path = out / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
