"""Every registry control has a passing and a failing fixture, with the expected reason written here."""

from __future__ import annotations

import pytest

from allmende.models import checks
from allmende.models import tags as t
from allmende.models.card import parse
from allmende.models.sector import resolve, sector_rules

CARD = """---
license: mit
---
# Iris classifier
## Intended use
Teaching.
## Out-of-scope use
Anything medical.
## Bias, risks and limitations
Three species only.
## Evaluation
Accuracy 0.97 on the held-out split.
## Training data
The iris dataset.
"""

GOOD = {
    t.LICENCE: "MIT",
    t.OPENNESS_CLASS: "1",
    t.SOURCE_URI: "https://git.example.org/iris",
    t.SOURCE_REVISION: "0123456789abcdef0123456789abcdef01234567",
    t.DATASETS: "iris",
    t.BASE_MODEL: "none",
    t.MODEL_CARD: "runs:/abc/card/model_card.md",
    t.ARTIFACTS_SHA256: "sha256:" + "a" * 64,
    t.EVALUATION_STATUS: "passed",
    t.EVALUATION_METRICS: "accuracy=0.97",
    t.EVALUATION_DATASET_SHA256: "b" * 64,
    t.EVALUATION_ARTIFACTS_SHA256: "sha256:" + "a" * 64,
    t.EVALUATION_DATE: "2026-11-24T10:00:00Z",
    t.REVIEW_STATUS: "approved",
    t.REVIEW_BY: "Ada Lovelace",
    t.REVIEW_DATE: "2026-11-24T11:00:00Z",
    t.TRAINING_CO2_KG: "0.002",
    t.TRAINING_EMISSIONS_SOURCE: "codecarbon",
}


def facts(**changes: str | None) -> checks.Facts:
    tags = dict(GOOD)
    for key, value in changes.items():
        real = getattr(t, key)
        if value is None:
            tags.pop(real, None)
        else:
            tags[real] = value
    return checks.Facts(tags=tags, card=parse(CARD))


def test_a_complete_version_passes_every_control_of_every_sector() -> None:
    for sector in ("science", "health", "manufacturing"):
        results = checks.run(facts(), sector_rules(sector))
        assert [r.control for r in results] == list(checks.CONTROLS)
        assert checks.unmet(results) == [], sector


FAILING = [
    (checks.LICENCE_OPEN, {"LICENCE": None}, "no licence recorded"),
    (checks.LICENCE_OPEN, {"LICENCE": "CC-BY-NC-4.0"}, "CC-BY-NC-4.0 is not on the sector's list"),
    (checks.OPENNESS_CLASS, {"OPENNESS_CLASS": "3"}, "class III is less open than the sector's minimum, class II"),
    (checks.OPENNESS_CLASS, {"OPENNESS_CLASS": "high"}, "'high' is not a class"),
    (checks.MODEL_CARD, {"MODEL_CARD": None}, "no model card registered"),
    (checks.PROVENANCE_PINNED, {"SOURCE_REVISION": "main"}, "'main' is not pinned"),
    (checks.PROVENANCE_PINNED, {"DATASETS": None, "BASE_MODEL": None}, "not recorded: datasets, base model"),
    (checks.EVALUATION_PASSED, {"EVALUATION_STATUS": None}, "never evaluated"),
    (
        checks.EVALUATION_PASSED,
        {"EVALUATION_STATUS": "failed", "EVALUATION_REASON": "accuracy=0.5"},
        "failed: accuracy=0.5",
    ),
    (checks.EVALUATION_PASSED, {"EVALUATION_ARTIFACTS_SHA256": "sha256:" + "c" * 64}, "artifacts changed"),
    (checks.APPROVED_BY_PERSON, {"REVIEW_STATUS": None}, "not approved"),
    (checks.APPROVED_BY_PERSON, {"REVIEW_BY": "admin"}, "'admin' is not a named person"),
    (checks.TRAINING_EMISSIONS_RECORDED, {"TRAINING_CO2_KG": None}, "no training emissions or energy recorded"),
    (checks.TRAINING_EMISSIONS_RECORDED, {"TRAINING_CO2_KG": "-1"}, "not a non-negative number"),
    (checks.TRAINING_EMISSIONS_RECORDED, {"TRAINING_EMISSIONS_SOURCE": None}, "no source"),
]


@pytest.mark.parametrize(
    ("control", "changes", "why"), FAILING, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(FAILING)]
)
def test_each_control_fails_with_its_reason(control: str, changes: dict[str, str | None], why: str) -> None:
    results = {r.control: r for r in checks.run(facts(**changes), sector_rules("science"))}
    assert not results[control].passed
    assert why in results[control].why
    assert results[control].fix
    assert [r.control for r in checks.unmet(list(results.values()))] == [control]


def test_card_missing_sections_and_unreadable_card() -> None:
    thin = checks.Facts(tags=GOOD, card=parse("# Card\n## Intended use\nx\n"))
    result = checks.model_card(thin, sector_rules("science"))
    assert not result.passed
    assert result.why == "the model card lacks: out-of-scope use, limitations, evaluation, training data"
    unreadable = checks.Facts(tags=GOOD, card=None, card_problem="404")
    assert checks.model_card(unreadable, sector_rules("science")).why == "the model card cannot be read: 404"


def test_health_is_stricter_than_base() -> None:
    cc = facts(LICENCE="CC-BY-4.0", OPENNESS_CLASS="2")
    assert checks.licence_open(cc, resolve(None, None, required=False)[1]).passed
    assert not checks.licence_open(cc, sector_rules("health")).passed


def test_licence_ids_compare_case_insensitively() -> None:
    assert checks.licence_open(facts(LICENCE="apache-2.0"), sector_rules("health")).passed


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Ada Lovelace", True),
        ("grace@example.org", True),
        ("admin", False),
        ("CI", False),
        ("deploy-bot", False),
        ("", False),
    ],
)
def test_an_approver_is_a_person(name: str, person: bool) -> None:
    assert checks.is_person(name) is person
