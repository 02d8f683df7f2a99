"""Reading the catalogue: every control typed, and every enforcement point backed by code.

A control enforced nowhere, or at a point where nothing implements it, is an error — the
catalogue can never promise what the machines do not check.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from allmende.blueprints.schema import Rules
from allmende.errors import AllmendeError, InvalidInput, Problem
from allmende.policies.admission.rules import BY_CONTROL, NETWORK_CONTROLS
from allmende.policies.checks import DEPLOY, RUNTIME
from allmende.policies.schema import Catalogue, Control

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
# The checks `allmende models check / approve` run (allmende/models/checks.py), by id.
REGISTRY_CHECKS = (
    "approved-by-person",
    "evaluation-passed",
    "licence-open",
    "model-card",
    "openness-class",
    "provenance-pinned",
    "training-emissions-recorded",
)


def _implemented(control: Control) -> list[str]:
    """What is missing for the control's enforcement points."""
    missing: list[str] = []
    for point in control.enforced_at:
        if point == "deploy" and control.id not in DEPLOY:
            missing.append("deploy: no check function in allmende.policies.checks")
        if point == "admission" and control.id not in BY_CONTROL and control.id not in NETWORK_CONTROLS:
            missing.append("admission: no admission rule in allmende.policies.admission.rules")
        if point == "registry" and control.registry_check not in REGISTRY_CHECKS:
            missing.append(f"registry: unknown registry check {control.registry_check!r}")
        if point == "runtime" and control.id not in RUNTIME:
            missing.append("runtime: no runtime check in allmende.policies.checks")
    return missing


def problems_of(documents: dict[str, Any]) -> tuple[list[Control], list[Problem]]:
    """Controls and problems from {file name: parsed YAML}."""
    controls: list[Control] = []
    problems: list[Problem] = []
    rule_fields = set(Rules.model_fields)
    seen: dict[str, str] = {}
    for file, document in sorted(documents.items()):
        items = document.get("controls") if isinstance(document, dict) else None
        if not isinstance(items, list):
            problems.append(Problem(file, "needs a top-level `controls:` list", "see accessible.yaml"))
            continue
        for i, raw in enumerate(items):
            at = f"{file}: controls[{i}]"
            try:
                control = Control.model_validate(raw)
            except ValidationError as exc:
                for error in exc.errors():
                    where = ".".join(str(p) for p in error["loc"])
                    problems.append(Problem(f"{at}.{where}" if where else at, error["msg"]))
                continue
            at = f"{file}: {control.id}"
            if control.id in seen:
                problems.append(
                    Problem(at, f"duplicate id, also in {seen[control.id]}", "give each control its own id")
                )
            seen[control.id] = file
            problems += [
                Problem(
                    f"{at}.parameters", f"{p!r} is not a sector rule", f"use one of: {', '.join(sorted(rule_fields))}"
                )
                for p in control.parameters
                if p not in rule_fields
            ]
            problems += [
                Problem(f"{at}.enforced_at", m, "implement it or remove the point") for m in _implemented(control)
            ]
            controls.append(control)
    return controls, problems


def read_documents(folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise AllmendeError(f"no catalogue files in {folder}", fix="the catalogue is policies/catalogue/*.yaml")
    out: dict[str, Any] = {}
    for path in files:
        try:
            out[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise AllmendeError(f"{path.name}: not valid YAML ({exc})", fix="correct the YAML syntax") from None
    return out


def load_catalogue(folder: Path | None = None) -> Catalogue:
    controls, problems = problems_of(read_documents(folder or CATALOGUE_DIR))
    if problems:
        raise InvalidInput("policy catalogue", problems)
    return Catalogue(controls=tuple(sorted(controls, key=lambda c: c.id)))


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, read once per process."""
    return load_catalogue()
