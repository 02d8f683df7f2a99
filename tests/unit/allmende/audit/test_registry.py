"""A served model version must still carry its approval and every tag it was locked with."""

from __future__ import annotations

import pytest

from allmende.audit.registry import control_of_tag, registry_results
from allmende.audit.results import Result
from allmende.errors import AllmendeError
from allmende.models import tags as t
from tests.unit.allmende.audit.live_like import approved_tags, stack


def results_with(changed: dict[str, str | None]) -> list[Result]:
    bp, _, lock = stack("science")
    assert lock is not None
    tags = approved_tags(lock)

    def fetch(model: str, version: str) -> dict[str, str]:
        now = dict(tags[(model, version)])
        if model == "galaxy-morphology":
            for key, value in changed.items():
                if value is None:
                    now.pop(key, None)
                else:
                    now[key] = value
        return now

    return registry_results(lock, bp.rules, fetch)


def not_met(results: list[Result]) -> set[tuple[str, str, str | None]]:
    return {(r.control, r.subject, r.service) for r in results if r.status == "not-met"}


def test_unchanged_tags_are_met() -> None:
    results = results_with({})
    assert not_met(results) == set()
    assert {r.control for r in results} >= {"approved-by-person", "licence-open", "evaluation-passed"}


def test_an_approval_tag_removed_after_approval() -> None:
    results = results_with({t.REVIEW_STATUS: None})
    assert not_met(results) == {("approved-by-person", "model galaxy-morphology version 7", "galaxy-morphology")}
    messages = " ".join(r.message for r in results if r.status == "not-met")
    assert "allmende.review.status was removed after approval" in messages and "not approved" in messages


def test_a_changed_licence_tag_fails_the_licence_control() -> None:
    assert not_met(results_with({t.LICENCE: "proprietary"})) == {
        ("licence-open", "model galaxy-morphology version 7", "galaxy-morphology")
    }


def test_a_version_missing_from_the_registry() -> None:
    bp, _, lock = stack("science")

    def fetch(model: str, version: str) -> dict[str, str]:
        raise AllmendeError(f"model {model!r} version {version} is not in the registry at http://r")

    found = not_met(registry_results(lock, bp.rules, fetch))
    assert ("approved-by-person", "model campus-chat version 3", "campus-chat") not in found
    assert {c for c, _, _ in found} == {"approved-by-person"} and len(found) == 2


def test_an_unreachable_registry_is_could_not_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    bp, _, lock = stack("science")
    results = registry_results(lock, bp.rules)
    assert {r.status for r in results} == {"could-not-check"}
    assert all("cannot reach the MLflow registry" in r.message for r in results)


@pytest.mark.parametrize(
    ("key", "control"),
    [
        (t.REVIEW_BY, "approved-by-person"),
        (t.MODEL_CARD_SHA256, "model-card"),
        (t.SOURCE_REVISION, "provenance-pinned"),
        (t.EVALUATION_METRICS, "evaluation-passed"),
        (t.TRAINING_CO2_KG, "training-emissions-recorded"),
        (t.OPENNESS_CLASS, "openness-class"),
    ],
)
def test_each_tag_belongs_to_its_control(key: str, control: str) -> None:
    assert control_of_tag(key) == control
