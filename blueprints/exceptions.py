"""Declared exceptions: a control lifted for named services only, until it expires."""

from __future__ import annotations

import datetime as dt

from allmende.blueprints.schema import Blueprint, ExceptionDecl


def active_exception(bp: Blueprint, control: str, service: str, today: dt.date) -> ExceptionDecl | None:
    """The unexpired exception that lifts `control` for `service` on `today`, if one is declared."""
    for exc in bp.accountability.exceptions:
        if exc.control == control and service in exc.services and dt.date.fromisoformat(exc.expires) >= today:
            return exc
    return None


def expired(bp: Blueprint, today: dt.date) -> list[ExceptionDecl]:
    return [e for e in bp.accountability.exceptions if dt.date.fromisoformat(e.expires) < today]
