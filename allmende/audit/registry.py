"""The registry side: every served model version still carries its approval, and every tag it
was locked with (a tag removed or changed after approval fails the control the tag belongs to).

Read through MLflow's REST API (no MLflow import: the audit stays fast). Which registry:
`MLFLOW_TRACKING_URI` when set (with `MLFLOW_TRACKING_USERNAME`/`_PASSWORD`), else the
registry the models lock was resolved against.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import requests

from allmende.audit.results import Result, met, not_met, unknown
from allmende.blueprints.schema import Rules
from allmende.errors import AllmendeError
from allmende.models import checks
from allmende.models import tags as t
from allmende.models.client import probe
from allmende.models.lock import ModelsLock

TIMEOUT_S = 10
REAPPROVE = "restore the tag as approved, or evaluate and approve the version again, then `allmende models lock`"
# Tag prefixes → the registry control the tag is evidence for (longest prefix first).
TAG_CONTROLS: tuple[tuple[str, str], ...] = (
    ("allmende.model_card", checks.MODEL_CARD),
    ("allmende.review.", checks.APPROVED_BY_PERSON),
    ("allmende.evaluation.", checks.EVALUATION_PASSED),
    ("allmende.training.", checks.TRAINING_EMISSIONS_RECORDED),
    ("allmende.licence", checks.LICENCE_OPEN),
    ("allmende.openness_class", checks.OPENNESS_CLASS),
    ("allmende.source", checks.PROVENANCE_PINNED),
    ("allmende.datasets", checks.PROVENANCE_PINNED),
    ("allmende.base_model", checks.PROVENANCE_PINNED),
    ("allmende.artifacts.", checks.PROVENANCE_PINNED),
)
Fetch = Callable[[str, str], dict[str, str]]


def control_of_tag(key: str) -> str:
    return next((control for prefix, control in TAG_CONTROLS if key.startswith(prefix)), checks.APPROVED_BY_PERSON)


def registry_uri(lock: ModelsLock) -> str:
    return (os.environ.get("MLFLOW_TRACKING_URI") or lock.registry).strip().rstrip("/")


def rest_fetch(uri: str) -> Fetch:
    """(model, version) → the version's tags, read over MLflow's REST API."""
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    auth = (user, password) if user and password else None
    session = requests.Session()

    def fetch(model: str, version: str) -> dict[str, str]:
        try:
            response = session.get(
                f"{uri}/api/2.0/mlflow/model-versions/get",
                params={"name": model, "version": version},
                auth=auth,
                timeout=TIMEOUT_S,
            )
        except requests.RequestException as exc:
            raise AllmendeError(f"the registry at {uri} stopped answering ({type(exc).__name__})") from None
        if response.status_code == 404 or "RESOURCE_DOES_NOT_EXIST" in response.text:
            raise AllmendeError(f"model {model!r} version {version} is not in the registry at {uri}")
        if response.status_code != 200:
            raise AllmendeError(f"the registry at {uri} answered {response.status_code}: {response.text[:160]}")
        found = response.json().get("model_version", {}).get("tags", [])
        return {str(tag["key"]): str(tag.get("value", "")) for tag in found}

    return fetch


def _served(lock: ModelsLock) -> list[tuple[str, str, str, dict[str, str]]]:
    """(service, model, version, tags at lock time) of every served version, canaries included."""
    out = []
    for m in lock.models:
        out.append((m.service, m.model, m.version, dict(m.tags)))
        if m.canary is not None:
            out.append((m.service, m.model, m.canary.version, dict(m.canary.tags)))
    return out


def version_results(
    service: str, model: str, version: str, locked: dict[str, str], now: dict[str, str], rules: Rules
) -> list[Result]:
    subject = f"model {model} version {version}"
    by_control: dict[str, list[str]] = {}
    for key in sorted(locked):
        if key not in now:
            by_control.setdefault(control_of_tag(key), []).append(f"tag {key} was removed after approval")
        elif now[key] != locked[key]:
            by_control.setdefault(control_of_tag(key), []).append(
                f"tag {key} is {now[key]!r}, approved as {locked[key]!r}"
            )
    out = [
        not_met(control, subject, "; ".join(problems), REAPPROVE, service, "registry")
        for control, problems in sorted(by_control.items())
    ]
    approval = checks.approved_by_person(checks.Facts(tags=t.ours(now)), rules)
    if not approval.passed:
        out.append(not_met(checks.APPROVED_BY_PERSON, subject, approval.why, approval.fix, service, "registry"))
    for control in sorted({control_of_tag(k) for k in locked} | {checks.APPROVED_BY_PERSON}):
        if control not in by_control and (control != checks.APPROVED_BY_PERSON or approval.passed):
            why = approval.why if control == checks.APPROVED_BY_PERSON else "its tags are as approved"
            out.append(met(control, subject, why, service, "registry"))
    return out


def registry_results(lock: ModelsLock | None, rules: Rules, fetch: Fetch | None = None) -> list[Result]:
    if lock is None or not lock.models:
        return [met(checks.APPROVED_BY_PERSON, "registry", "no model version is served", check="registry")]
    uri = registry_uri(lock)
    served = _served(lock)
    if fetch is None:
        try:
            probe(uri)
        except AllmendeError as exc:
            return [
                unknown(checks.APPROVED_BY_PERSON, f"model {model} version {version}", exc.message, exc.fix, service)
                for service, model, version, _ in served
            ]
        fetch = rest_fetch(uri)
    out: list[Result] = []
    for service, model, version, locked in served:
        try:
            now = fetch(model, version)
        except AllmendeError as exc:
            subject = f"model {model} version {version}"
            if "is not in the registry" in exc.message:
                out.append(not_met(checks.APPROVED_BY_PERSON, subject, exc.message, REAPPROVE, service, "registry"))
            else:
                out.append(unknown(checks.APPROVED_BY_PERSON, subject, exc.message, "retry", service))
            continue
        out += version_results(service, model, version, locked, now, rules)
    return out
