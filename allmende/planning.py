"""`allmende.plan(...)`: every module's pure builder, called in a fixed order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from allmende.blueprints.loader import Loaded
from allmende.blueprints.schema import Blueprint
from allmende.models.lock import ModelsLock, lock_path, read_lock
from allmende.modules.accountability import plan as accountability
from allmende.modules.gpu_cluster import plan as gpu_cluster
from allmende.modules.model_registry import plan as model_registry
from allmende.modules.model_serving import plan as model_serving
from allmende.modules.tenancy import plan as tenancy
from allmende.modules.types import ModulePlan, Plan


@dataclass(frozen=True)
class PlanInputs:
    """Everything a builder may read: the Blueprint, the stack's name, its models lock, the date."""

    blueprint: Blueprint
    stack: str
    lock: ModelsLock | None = None
    today: dt.date = field(default_factory=dt.date.today)


Builder = Callable[[PlanInputs], ModulePlan]

# The order is the order of deployment: a module may use what an earlier one created.
BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("tenancy", lambda i: tenancy.plan(i.blueprint)),
    ("accountability", lambda i: accountability.plan(i.blueprint)),
    ("gpu_cluster", lambda i: gpu_cluster.plan(i.blueprint, cohort=i.stack)),
    ("model_registry", lambda i: model_registry.plan(i.blueprint)),
    ("model_serving", lambda i: model_serving.plan(i.blueprint, i.lock, i.today)),
)


def plan(
    blueprint: Blueprint, stack: str = "stack", lock: ModelsLock | None = None, today: dt.date | None = None
) -> Plan:
    inputs = PlanInputs(blueprint, stack, lock, today or dt.date.today())
    return Plan(stack=stack, sector=blueprint.sector, modules={name: build(inputs) for name, build in BUILDERS})


def lock_of(loaded: Loaded) -> ModelsLock | None:
    """The models lock beside the blueprint: `<folder>/<stack>.models.lock.yaml`."""
    return read_lock(lock_path(loaded.source.parent, loaded.name))


def plan_loaded(loaded: Loaded, today: dt.date | None = None) -> Plan:
    return plan(loaded.blueprint, loaded.name, lock_of(loaded), today)
