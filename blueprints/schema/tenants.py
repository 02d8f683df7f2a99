"""The institutions or groups that share the cluster, each in its own namespace."""

from __future__ import annotations

from pydantic import Field, model_validator

from allmende.blueprints.schema.base import Name, NonNegativeInt, PositiveInt, Strict


class GpuQuota(Strict):
    """A tenant's share of the GPUs (in schedulable GPU units: whole GPUs, time-slices or MIG slices)."""

    nominal: NonNegativeInt = Field(description="GPUs guaranteed to the tenant")
    borrowing_limit: NonNegativeInt = Field(default=0, description="GPUs it may borrow from idle tenants (batch jobs)")
    lending_limit: NonNegativeInt | None = Field(default=None, description="GPUs it may lend; empty: all idle ones")
    weight: PositiveInt = Field(default=1, description="fair-sharing weight among tenants")

    @model_validator(mode="after")
    def _lending(self) -> GpuQuota:
        if self.lending_limit is not None and self.lending_limit > self.nominal:
            raise ValueError(f"lending_limit {self.lending_limit} exceeds nominal {self.nominal}")
        return self


class Tenant(Strict):
    name: Name
    namespace: Name
    display_name: str | None = None
    gpu: GpuQuota
    cpu: PositiveInt = Field(default=64, description="CPU cores the namespace may request")
    memory_gi: PositiveInt = Field(default=256, description="memory the namespace may request, GiB")
    admins: list[str] = Field(min_length=1, description="groups (from the identity provider) administering the tenant")
    oversight: list[str] = Field(
        min_length=1, description="groups exercising human oversight: may stop (scale to zero) the tenant's services"
    )
