"""The Blueprint: everything an institution declares, fully typed. The only input of the Plan."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from allmende.blueprints.schema.accountability import Accountability
from allmende.blueprints.schema.base import Name, Strict
from allmende.blueprints.schema.cluster import Cluster
from allmende.blueprints.schema.institution import Institution
from allmende.blueprints.schema.operators import Operators
from allmende.blueprints.schema.registry import Registry
from allmende.blueprints.schema.rules import Rules
from allmende.blueprints.schema.serving import Serving
from allmende.blueprints.schema.tenants import Tenant

Sector = Literal["science", "health", "manufacturing"]
# The shipped sector profiles. A custom profile may name a sector of its own (e.g. a city
# administration) and build on one of these.
SECTORS: tuple[Sector, ...] = ("science", "health", "manufacturing")


class Blueprint(Strict):
    sector: Name = Field(description="a shipped profile (science, health, manufacturing) or a custom profile's sector")
    institution: Institution
    cluster: Cluster
    tenants: list[Tenant] = Field(min_length=1)
    registry: Registry = Registry()
    serving: Serving = Serving()
    accountability: Accountability = Accountability()
    operators: Operators = Operators()
    rules: Rules

    def tenant(self, name: str) -> Tenant:
        return next(t for t in self.tenants if t.name == name)
