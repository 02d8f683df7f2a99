"""From a stack name (or blueprint file) to the report's data, and to files on disk."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from allmende.audit.report import latest_evidence
from allmende.blueprints.loader import load, stacks_dir
from allmende.errors import AllmendeError
from allmende.models.lock import lock_path, read_lock
from allmende.planning import plan_loaded
from allmende.policies.context import Evidence
from allmende.policies.evaluate import evaluate, make_context
from allmende.policies.load import catalogue
from allmende.policies.report import html, markdown
from allmende.policies.report.build import build

FORMATS = ("html", "md", "json")


def read_evidence(path: Path | None) -> list[Evidence]:
    """Dated runtime results: a JSON list of {control, service, date, passed, detail}."""
    if path is None:
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return TypeAdapter(list[Evidence]).validate_python(raw)
    except (OSError, ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise AllmendeError(
            f"{path}: not a list of evidence records ({first})", fix="see docs/policy-makers.md"
        ) from None


def report_data(target: str, today: date, evidence: Path | None = None) -> dict[str, Any]:
    loaded = load(target)
    lock = read_lock(lock_path(stacks_dir(), loaded.name))
    ctx = make_context(
        loaded.name,
        loaded.blueprint,
        plan_loaded(loaded, today),
        catalogue(),
        today,
        read_evidence(evidence) if evidence is not None else latest_evidence(loaded.name),
        lock,
    )
    return build(evaluate(ctx))


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "md":
        return markdown.render(data)
    if fmt == "html":
        return html.render(data)
    raise AllmendeError(f"unknown format {fmt!r}", fix=f"use one of: {', '.join(FORMATS)}")


def file_name(data: dict[str, Any], fmt: str) -> str:
    return f"report-{data['stack']}.{fmt}"


def write(data: dict[str, Any], formats: list[str], out_dir: Path) -> list[Path]:
    """Render every format first, then write: nothing half-written on an error."""
    rendered = {file_name(data, f): render(data, f) for f in formats}
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in rendered.items():
        path = out_dir / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
