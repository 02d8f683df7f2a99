"""Loading a Blueprint: profile layers + the institution's config, merged, then validated.

The same loader reads a Pulumi stack file (`stacks/Pulumi.<stack>.yaml`, key
`allmende:blueprint`) and a standalone YAML file. A blueprint may name a custom profile
with `extends: <file>` (relative to itself), merged between the sector profile and itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from allmende.blueprints.checks import cross_check
from allmende.blueprints.merge import Provenance, merge_layers
from allmende.blueprints.messages import problems_from
from allmende.blueprints.schema import SECTORS, Blueprint
from allmende.errors import AllmendeError, InvalidInput, Problem

PROFILES_DIR = Path(__file__).parent / "profiles"
CONFIG_KEY = "allmende:blueprint"


@dataclass(frozen=True)
class Loaded:
    """A validated Blueprint with where it came from and the origin of every value."""

    name: str
    source: Path
    blueprint: Blueprint
    origin: Provenance
    layers: tuple[str, ...]


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AllmendeError(f"cannot read {path}: {exc.strerror}", fix="check the path") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise AllmendeError(f"{path}: {problem}{where}", fix="correct the YAML syntax") from None


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def stacks_dir() -> Path:
    """ALLMENDE_STACKS_DIR, else the nearest `stacks/` with a Pulumi.yaml above the working dir."""
    env = os.environ.get("ALLMENDE_STACKS_DIR")
    if env:
        return Path(env)
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "stacks" / "Pulumi.yaml").is_file():
            return folder / "stacks"
        if (folder / "Pulumi.yaml").is_file() and folder.name == "stacks":
            return folder
    return repo_root() / "stacks"


def stack_names() -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir().glob("Pulumi.*.yaml"))


def resolve(target: str) -> tuple[str, Path]:
    """A stack name or a file path -> (name, path)."""
    as_path = Path(target)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        name = as_path.stem.removeprefix("Pulumi.")
        return (as_path.resolve().parent.name if name == "blueprint" else name), as_path
    path = stacks_dir() / f"Pulumi.{target}.yaml"
    if not path.is_file():
        known = ", ".join(stack_names()) or "none"
        raise AllmendeError(
            f"no stack or file named {target!r}",
            fix=f"name a stack ({known}) or a YAML file; `allmende init <sector> --stack {target}` creates one",
        )
    return target, path


def _declared(document: Any, path: Path) -> dict[str, Any]:
    """The blueprint mapping of a stack file or a standalone file."""
    if isinstance(document, dict) and isinstance(document.get("config"), dict):
        document = document["config"].get(CONFIG_KEY)
        if document is None:
            raise AllmendeError(
                f"{path}: no `{CONFIG_KEY}` key under `config`", fix=f"add `{CONFIG_KEY}:` with the blueprint"
            )
    if not isinstance(document, dict):
        raise AllmendeError(f"{path}: the blueprint must be a mapping (key: value)", fix="see `allmende init`")
    return document


def _profile(name: str) -> dict[str, Any]:
    document = read_yaml(PROFILES_DIR / f"{name}.yaml")
    return document if isinstance(document, dict) else {}


def _custom_profile(extends: Any, path: Path) -> tuple[str, dict[str, Any]]:
    if not isinstance(extends, str):
        raise InvalidInput(str(path), [Problem("extends", "must be a file name", "write the custom profile's path")])
    custom_path = (path.parent / extends).resolve()
    document = read_yaml(custom_path)
    if not isinstance(document, dict):
        raise InvalidInput(str(path), [Problem("extends", f"{extends} is not a mapping", "fix the custom profile")])
    return f"profile {custom_path.name}", document


def layers_for(declared: dict[str, Any], path: Path) -> list[tuple[str, dict[str, Any]]]:
    """The layers in merge order: base profile, sector profile, custom profile, the declaration.

    A custom profile (`extends: file`) may define a sector of its own; it then names the
    shipped profile it builds on with `based_on`.
    """
    own = dict(declared)
    extends = own.pop("extends", None)
    custom: list[tuple[str, dict[str, Any]]] = []
    shipped: Any = own.get("sector")
    where = "sector"
    if extends is not None:
        name, document = _custom_profile(extends, path)
        document = dict(document)
        based_on = document.pop("based_on", None)
        custom = [(name, document)]
        shipped = based_on if based_on is not None else own.get("sector", document.get("sector"))
        where = "extends: based_on" if based_on is not None else "sector"
    if shipped not in SECTORS:
        shown = "missing" if shipped is None else repr(shipped)
        what = "the custom profile's based_on" if where != "sector" else "sector"
        raise InvalidInput(str(path), [Problem(where, f"{what} is {shown}", f"use one of: {', '.join(SECTORS)}")])
    sector_layer = (f"profile {shipped}", _profile(str(shipped)))
    return [("profile base", _profile("base")), sector_layer, *custom, (path.name, own)]


def validate_mapping(merged: dict[str, Any], source: str) -> Blueprint:
    try:
        blueprint = Blueprint.model_validate(merged)
    except ValidationError as exc:
        raise InvalidInput(source, problems_from(exc, Blueprint)) from None
    problems = cross_check(blueprint)
    if problems:
        raise InvalidInput(source, problems)
    return blueprint


def load_file(path: Path, name: str | None = None) -> Loaded:
    declared = _declared(read_yaml(path), path)
    layers = layers_for(declared, path)
    merged, origin = merge_layers(layers)
    blueprint = validate_mapping(merged, str(path))
    return Loaded(
        name=name or path.stem.removeprefix("Pulumi."),
        source=path,
        blueprint=blueprint,
        origin=origin,
        layers=tuple(source for source, _ in layers),
    )


def load(target: str) -> Loaded:
    """Load a stack by name (`science`) or a blueprint file by path."""
    name, path = resolve(target)
    return load_file(path, name)
