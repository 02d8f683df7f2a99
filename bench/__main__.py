"""Run every benchmark section and print a table per section; exit 1 if a target is missed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import audit, engine, plan_scaling, planner, reports

SECTIONS = {
    "plan": plan_scaling.run,
    "planner": planner.run,
    "reports": reports.run,
    "engine": engine.run,
    "audit": audit.run,
}


def show(console: Console, section: dict[str, Any]) -> None:
    rows = section["rows"]
    table = Table(title=section["title"])
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*[str(v) for v in row.values()])
    console.print(table)
    console.print(("[green]met[/] " if section["ok"] else "[red]missed[/] ") + section["verdict"])


def main(names: list[str]) -> int:
    console = Console(highlight=False, width=160)
    results = {}
    for name in names or list(SECTIONS):
        results[name] = SECTIONS[name]()
        show(console, results[name])
    out = Path("build") / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, sort_keys=True), encoding="utf-8")
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
