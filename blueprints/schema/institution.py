"""Who runs the stack: the institution, its accountable owner and its complaint route."""

from __future__ import annotations

from pydantic import Field

from allmende.blueprints.schema.base import CountryCode, Email, Strict, Url


class Owner(Strict):
    """The accountable owner: a role (not a person's name), reachable by e-mail."""

    role: str = Field(min_length=3, description="e.g. 'Head of Research Computing'")
    contact: Email


class ComplaintRoute(Strict):
    """Where people affected by a service can ask questions or complain."""

    url: Url
    email: Email | None = None
    description: str = Field(
        default="Questions and complaints about our AI services",
        max_length=300,
    )


class Institution(Strict):
    """The public institution that operates the stack."""

    name: str = Field(min_length=2, max_length=100)
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code, e.g. DE, NL")
    data_regions: list[str] = Field(
        min_length=1,
        description="values of topology.kubernetes.io/region where data may be stored and processed",
    )
    owner: Owner
    complaints: ComplaintRoute
    website: Url | None = None
