"""The CrossGuard policies, built from the catalogue: one stack policy per control that is
enforced at deploy time or at admission (the admission CEL runs on the previewed resources,
so a broken object is stopped before it reaches the cluster).

Only `pack/__main__.py` wraps these in a PolicyPack (which starts a gRPC server); tests call
the validate functions directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from allmende.blueprints.loader import Loaded, load
from allmende.modules.types import Manifest
from allmende.planning import plan_loaded
from allmende.policies.actions import enforcement_level
from allmende.policies.evaluate import findings_for, judge, make_context
from allmende.policies.load import catalogue
from allmende.policies.schema import Control

CONFIG = PolicyConfigSchema(properties={"stack": {"type": "string"}}, required=["stack"])
Loader = Callable[[str], Loaded]


def plain(value: Any) -> Any:
    """The engine's read-only property proxies as plain dicts and lists (JSON and CEL need them).

    A value that cannot be known during a preview (a generated secret, say) becomes None.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _known(value, k) for k in value}
    if isinstance(value, Sequence):
        return [_known(value, i) for i in range(len(value))]
    return value


def _known(container: Any, key: Any) -> Any:
    try:
        return plain(container[key])
    except UnknownValueError:
        return None


def manifest_of(resource_type: str, props: Mapping[str, Any]) -> Manifest | None:
    """A Kubernetes object from a pulumi_kubernetes resource's properties (None: not Kubernetes)."""
    parts = resource_type.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    group, version = parts[1].split("/", 1)
    obj: Manifest = plain(props)
    obj.setdefault("apiVersion", version if group == "core" else f"{group}/{version}")
    obj.setdefault("kind", parts[2])
    obj.setdefault("metadata", {})
    return obj


@cache
def _loaded(stack: str) -> Loaded:
    return load(stack)


def validator(control: Control, loader: Loader = _loaded, today: date | None = None) -> Any:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = args.get_config()
        stack = str(config.get("stack", ""))
        loaded = loader(stack)
        ctx = make_context(
            stack, loaded.blueprint, plan_loaded(loaded, today or date.today()), catalogue(), today or date.today()
        )
        objects: list[tuple[Manifest, str | None]] = []
        for resource in args.resources:
            obj = manifest_of(resource.resource_type, resource.props)
            if obj is not None:
                objects.append((obj, resource.urn))
        for finding in findings_for(ctx, control, objects):
            outcome = judge(ctx, finding)
            if outcome.status == "not-met" and finding.point != "runtime":
                where = f"{finding.service}: " if finding.service else ""
                fix = f" (fix: {finding.fix})" if finding.fix else ""
                report_violation(f"[{control.id}] {where}{finding.message}{fix}", finding.urn)

    return validate


def policies(loader: Loader = _loaded, today: date | None = None) -> list[Policy]:
    out: list[Policy] = []
    for control in catalogue().controls:
        if not {"deploy", "admission"} & set(control.enforced_at):
            continue
        out.append(
            StackValidationPolicy(
                name=control.id,
                description=control.rule,
                validate=validator(control, loader, today),
                enforcement_level=EnforcementLevel(enforcement_level(control.action)),
                config_schema=CONFIG,
            )
        )
    return out
