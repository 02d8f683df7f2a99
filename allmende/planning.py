"""`allmende.plan(blueprint)`: every module's pure builder, called in a fixed order."""

from __future__ import annotations

from collections.abc import Callable

from allmende.blueprints.schema import Blueprint
from allmende.modules.gpu_cluster import plan as gpu_cluster
from allmende.modules.tenancy import plan as tenancy
from allmende.modules.types import ModulePlan, Plan

Builder = Callable[[Blueprint], ModulePlan]

# The order is the order of deployment: a module may use what an earlier one created.
BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("tenancy", tenancy.plan),
    ("gpu_cluster", gpu_cluster.plan),
)


def plan(blueprint: Blueprint, stack: str = "stack") -> Plan:
    return Plan(
        stack=stack,
        sector=blueprint.sector,
        modules={name: build(blueprint) for name, build in BUILDERS},
    )
