"""What an audit says: one result per control and object, and the verdict they add up to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["met", "not-met", "exception", "could-not-check"]
STATUSES: tuple[Status, ...] = ("not-met", "could-not-check", "exception", "met")
# Drift of an object no catalogue control covers (a Kueue queue, a runtime) is still drift.
DECLARED_STATE = "declared-state"

EXIT_MET = 0
EXIT_NOT_MET = 1
EXIT_BAD_INPUT = 2


class Result(BaseModel):
    """One control on one subject: an object ("NetworkPolicy physics/default-deny"), a service,
    a node or the whole stack ("stack")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    control: str
    subject: str
    status: Status
    message: str
    service: str | None = None
    check: str = "check"  # drift | check | registry
    fix: str = ""


def met(control: str, subject: str, message: str, service: str | None = None, check: str = "check") -> Result:
    return Result(control=control, subject=subject, status="met", message=message, service=service, check=check)


def not_met(
    control: str, subject: str, message: str, fix: str, service: str | None = None, check: str = "check"
) -> Result:
    return Result(
        control=control, subject=subject, status="not-met", message=message, fix=fix, service=service, check=check
    )


def unknown(control: str, subject: str, why: str, fix: str = "", service: str | None = None) -> Result:
    return Result(control=control, subject=subject, status="could-not-check", message=why, fix=fix, service=service)


def sort_key(result: Result) -> tuple[str, int, str, str, str]:
    return (result.control, STATUSES.index(result.status), result.subject, result.check, result.message)


def ordered(results: Iterable[Result]) -> list[Result]:
    """Sorted and without exact duplicates: the same input always gives the same list."""
    return sorted(set(results), key=sort_key)


def control_status(results: Iterable[Result]) -> Status:
    """The worst status among one control's results (met when it has none)."""
    present = {r.status for r in results}
    return next((s for s in STATUSES if s in present), "met")


def by_control(results: Iterable[Result]) -> dict[str, list[Result]]:
    out: dict[str, list[Result]] = {}
    for result in ordered(results):
        out.setdefault(result.control, []).append(result)
    return out


def summary(results: Iterable[Result]) -> dict[str, Status]:
    return {control: control_status(rs) for control, rs in by_control(results).items()}


def counts(results: Iterable[Result]) -> dict[Status, int]:
    statuses = list(summary(results).values())
    return {s: statuses.count(s) for s in STATUSES}


def exit_code(results: Iterable[Result]) -> int:
    """0 when every result is met (or an exception declared for it), 1 otherwise."""
    return EXIT_MET if all(r.status in ("met", "exception") for r in results) else EXIT_NOT_MET
