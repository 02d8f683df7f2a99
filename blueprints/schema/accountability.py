"""What the institution declares about each service, and the exceptions it grants itself."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from allmende.blueprints.schema.base import Email, IsoDate, Name, Sha256, Strict, Url, YearMonth

RegisterStatus = Literal["In ontwikkeling", "In gebruik", "Buiten gebruik"]
PublicationCategory = Literal["Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes"]


class Assessment(Strict):
    """A linked impact assessment (DPIA, FRIA): where it is, its digest and when it was done."""

    url: Url
    sha256: Sha256
    date: IsoDate


class Oversight(Strict):
    role: str = Field(min_length=3, description="who oversees the service and can stop it")
    can_stop: bool = True
    description: str = Field(default="", max_length=1000)


class RegisterEntry(Strict):
    """One service's entry in the algorithm register (Dutch Algoritmeregister v1.0 fields)."""

    name: str = Field(min_length=2, max_length=100)
    description_short: str = Field(min_length=20, max_length=400, description="plain language, B1 level")
    status: RegisterStatus = "In ontwikkeling"
    publication_category: PublicationCategory = "Overige algoritmes"
    category: list[str] = Field(default=[], max_length=3)
    goal: str = Field(default="", max_length=10000)
    begin_date: YearMonth | None = None
    website: Url | None = None
    contact_email: Email | None = Field(default=None, description="empty: the institution owner's contact")
    risk_class: Literal["minimal", "limited", "high", "prohibited"] = "minimal"
    legal_role: Literal["deployer", "provider", "provider-and-deployer"] = "deployer"
    research_exemption: str | None = Field(default=None, description="justification of an AI Act Art. 2(6) exemption")
    personal_data: bool = False
    lawful_basis: str = ""
    oversight: Oversight
    dpia: Assessment | None = None
    fria: Assessment | None = None
    eu_database_id: str | None = None
    source_id: str | None = None


class Provider(Strict):
    """An external provider a service may call (egress is opened to it, and only to it)."""

    name: Name
    hosts: list[str] = Field(min_length=1)
    contract: Url
    services: list[Name] = Field(min_length=1)


class ExceptionDecl(Strict):
    """A control lifted for named objects only, with a reason, an approver and an expiry."""

    control: str = Field(min_length=3)
    services: list[Name] = Field(min_length=1)
    reason: str = Field(min_length=10)
    approver: str = Field(min_length=3)
    expires: IsoDate


class Accountability(Strict):
    register_entries: dict[Name, RegisterEntry] = Field(default={}, alias="register")
    providers: list[Provider] = []
    exceptions: list[ExceptionDecl] = []
    policy_version: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$")
