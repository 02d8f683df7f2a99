"""What every check sees (the Context) and what it says (Findings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from allmende.blueprints.schema import Blueprint
from allmende.models.lock import ModelsLock
from allmende.modules.types import Plan
from allmende.policies.schema import Catalogue

Status = Literal["met", "not-met", "exception", "pending"]
STATUS_ORDER: tuple[Status, ...] = ("not-met", "exception", "pending", "met")


class Evidence(BaseModel):
    """A dated result of a runtime check (a probe, a review, a benchmark run)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    control: str
    service: str | None = None
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one service (or on the whole stack when service is None).

    ok is None when nothing has been checked yet (a runtime check without a dated result).
    """

    control: str
    ok: bool | None
    message: str
    service: str | None = None
    point: str = "deploy"
    path: str = ""
    fix: str = ""
    evidence_date: str | None = None
    urn: str | None = None


@dataclass(frozen=True)
class Context:
    stack: str
    blueprint: Blueprint
    plan: Plan
    catalogue: Catalogue
    today: date
    evidence: tuple[Evidence, ...] = ()
    lock: ModelsLock | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def age_days(self, iso: str) -> int:
        return (self.today - date.fromisoformat(iso)).days


def passed(control: str, message: str, service: str | None = None, evidence_date: str | None = None) -> Finding:
    return Finding(control=control, ok=True, message=message, service=service, evidence_date=evidence_date)


def failed(
    control: str,
    message: str,
    fix: str,
    service: str | None = None,
    path: str = "",
    evidence_date: str | None = None,
) -> Finding:
    return Finding(
        control=control, ok=False, message=message, service=service, fix=fix, path=path, evidence_date=evidence_date
    )
