"""The sector's rules: the parameters of the accountability controls.

Sector profiles set these (health is strictest); an institution may tighten or, where its
own review allows, relax them in its stack. The policy catalogue names which control reads
which rule, so the report shows each sector's value from this one place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from allmende.blueprints.schema.base import NonNegativeInt, PositiveInt, Strict


class Rules(Strict):
    external_egress: Literal["declared-providers", "none"] = Field(
        description="declared-providers: egress only to declared external providers; none: no external egress"
    )
    external_providers: Literal["allowed", "denied"] = Field(
        description="whether services may call external AI providers at all"
    )
    payload_logging: Literal["with-exception", "never"] = Field(
        description="with-exception: only under an approved, unexpired exception; never: not at all"
    )
    dpia: Literal["when-personal-data", "always"]
    residency: Literal["declared-regions", "strict"] = Field(
        description="strict: data-bearing pods must run in the institution's regions, storage too"
    )
    data_on_premises: bool = Field(description="models and data stay on the institution's own nodes")
    research_exemption: bool = Field(description="an AI Act Art. 2(6) research exemption may be declared")
    scale_to_zero: bool = Field(description="non-critical services release their GPUs when idle")
    critical_min_replicas: NonNegativeInt = 1
    min_openness_class: Literal[1, 2, 3] = Field(
        description="Model Openness Framework class a served model must reach (I is the most open)"
    )
    allowed_licences: list[str] = Field(min_length=1, description="SPDX identifiers of acceptable model licences")
    log_retention_days: PositiveInt = Field(
        default=183, description="retention of use records (AI Act Art. 19: ≥ 6 months)"
    )
    trusted_registries: list[str] = Field(min_length=1, description="image registries workloads may pull from")
    assessment_max_age_days: PositiveInt = 365
    review_period_days: PositiveInt = 365
