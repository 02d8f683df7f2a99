"""`allmende init`: a commented stack file that validates as written."""

from __future__ import annotations

from pathlib import Path

from allmende.blueprints.schema import SECTORS
from allmende.errors import AllmendeError

TEMPLATE = Path(__file__).parent / "templates" / "stack.yaml"


def stack_text(sector: str, stack: str) -> str:
    if sector not in SECTORS:
        raise AllmendeError(f"unknown sector {sector!r}", path="sector", fix=f"use one of: {', '.join(SECTORS)}")
    return TEMPLATE.read_text(encoding="utf-8").format(sector=sector, stack=stack)


def write_stack(directory: Path, sector: str, stack: str, force: bool = False) -> Path:
    text = stack_text(sector, stack)
    path = directory / f"Pulumi.{stack}.yaml"
    if path.exists() and not force:
        raise AllmendeError(f"{path} exists already", fix="choose another --stack name, or pass --force to replace it")
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
