"""The `allmende.*` tag vocabulary on MLflow model versions, defined once.

Every tag allmende reads or writes on a model version is declared here with what it means and
which command sets it; `docs/model-steward.md` lists the same table (a unit test keeps the two
equal). Values are strings, as MLflow stores them; dates are ISO 8601 in UTC.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

PREFIX: Final = "allmende."


class TagSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    meaning: str
    set_by: str  # register | evaluate | approve


LICENCE: Final = "allmende.licence"
OPENNESS_CLASS: Final = "allmende.openness_class"
SOURCE_URI: Final = "allmende.source.uri"
SOURCE_REVISION: Final = "allmende.source.revision"
DATASETS: Final = "allmende.datasets"
BASE_MODEL: Final = "allmende.base_model"
MODEL_CARD: Final = "allmende.model_card"
MODEL_CARD_SHA256: Final = "allmende.model_card.sha256"
ARTIFACTS_SHA256: Final = "allmende.artifacts.sha256"
TRAINING_CO2_KG: Final = "allmende.training.co2_eq_kg"
TRAINING_ENERGY_KWH: Final = "allmende.training.energy_kwh"
TRAINING_EMISSIONS_SOURCE: Final = "allmende.training.emissions_source"
TRAINING_TYPE: Final = "allmende.training.type"
TRAINING_LOCATION: Final = "allmende.training.location"
TRAINING_HARDWARE: Final = "allmende.training.hardware"
EVALUATION_STATUS: Final = "allmende.evaluation.status"
EVALUATION_CRITERIA: Final = "allmende.evaluation.criteria"
EVALUATION_METRICS: Final = "allmende.evaluation.metrics"
EVALUATION_DATASET_SHA256: Final = "allmende.evaluation.dataset_sha256"
EVALUATION_ARTIFACTS_SHA256: Final = "allmende.evaluation.artifacts_sha256"
EVALUATION_DATE: Final = "allmende.evaluation.date"
EVALUATION_REPORT: Final = "allmende.evaluation.report"
EVALUATION_REASON: Final = "allmende.evaluation.reason"
REVIEW_STATUS: Final = "allmende.review.status"
REVIEW_BY: Final = "allmende.review.by"
REVIEW_ACCOUNT: Final = "allmende.review.account"
REVIEW_DATE: Final = "allmende.review.date"
REVIEW_ALIAS: Final = "allmende.review.alias"
REVIEW_SECTOR: Final = "allmende.review.sector"

PASSED: Final = "passed"
FAILED: Final = "failed"
APPROVED: Final = "approved"

VOCABULARY: Final[tuple[TagSpec, ...]] = (
    TagSpec(
        key=LICENCE, meaning="SPDX identifier of the model's licence (compared case-insensitively)", set_by="register"
    ),
    TagSpec(
        key=OPENNESS_CLASS,
        meaning="Model Openness Framework class: 1 (class I, most open), 2 or 3",
        set_by="register",
    ),
    TagSpec(key=SOURCE_URI, meaning="where the model comes from (repository or hub URI)", set_by="register"),
    TagSpec(
        key=SOURCE_REVISION,
        meaning="the pinned revision of the source: a 40-hex commit or sha256:<64 hex>",
        set_by="register",
    ),
    TagSpec(key=DATASETS, meaning="training datasets, comma-separated identifiers", set_by="register"),
    TagSpec(key=BASE_MODEL, meaning="the model this one was fine-tuned from, or `none`", set_by="register"),
    TagSpec(key=MODEL_CARD, meaning="artifact URI of the model card (Markdown)", set_by="register"),
    TagSpec(key=MODEL_CARD_SHA256, meaning="sha256 of the model card as registered", set_by="register"),
    TagSpec(
        key=ARTIFACTS_SHA256,
        meaning="sha256:<hex> over the version's artifact files (paths and contents)",
        set_by="register",
    ),
    TagSpec(key=TRAINING_CO2_KG, meaning="training/fine-tuning emissions in kg CO2-equivalent", set_by="register"),
    TagSpec(key=TRAINING_ENERGY_KWH, meaning="training/fine-tuning energy in kWh", set_by="register"),
    TagSpec(
        key=TRAINING_EMISSIONS_SOURCE,
        meaning="how the emissions or energy were measured or estimated",
        set_by="register",
    ),
    TagSpec(key=TRAINING_TYPE, meaning="pre-training or fine-tuning", set_by="register"),
    TagSpec(key=TRAINING_LOCATION, meaning="where the training ran (region)", set_by="register"),
    TagSpec(key=TRAINING_HARDWARE, meaning="hardware used for training", set_by="register"),
    TagSpec(key=EVALUATION_STATUS, meaning="`passed` or `failed`", set_by="evaluate"),
    TagSpec(key=EVALUATION_CRITERIA, meaning="the criteria evaluated, e.g. `accuracy>=0.9`", set_by="evaluate"),
    TagSpec(key=EVALUATION_METRICS, meaning="the measured metrics, e.g. `accuracy=0.9667`", set_by="evaluate"),
    TagSpec(key=EVALUATION_DATASET_SHA256, meaning="sha256 of the evaluation dataset file", set_by="evaluate"),
    TagSpec(
        key=EVALUATION_ARTIFACTS_SHA256,
        meaning="the artifacts checksum of what was evaluated (must equal allmende.artifacts.sha256)",
        set_by="evaluate",
    ),
    TagSpec(key=EVALUATION_DATE, meaning="when the evaluation ran (UTC)", set_by="evaluate"),
    TagSpec(key=EVALUATION_REPORT, meaning="artifact URI of the evaluation report (JSON)", set_by="evaluate"),
    TagSpec(key=EVALUATION_REASON, meaning="why an evaluation failed or was refused", set_by="evaluate"),
    TagSpec(key=REVIEW_STATUS, meaning="`approved` once a named person approved the version", set_by="approve"),
    TagSpec(key=REVIEW_BY, meaning="the person who approved (name, and e-mail if given)", set_by="approve"),
    TagSpec(key=REVIEW_ACCOUNT, meaning="the registry account that recorded the approval", set_by="approve"),
    TagSpec(key=REVIEW_DATE, meaning="when it was approved (UTC)", set_by="approve"),
    TagSpec(key=REVIEW_ALIAS, meaning="the alias the approval set (e.g. `production`)", set_by="approve"),
    TagSpec(key=REVIEW_SECTOR, meaning="the sector or stack whose rules the approval checked", set_by="approve"),
)

KEYS: Final[frozenset[str]] = frozenset(spec.key for spec in VOCABULARY)


def ours(tags: dict[str, str]) -> dict[str, str]:
    """Only the allmende.* tags, sorted by key."""
    return {k: tags[k] for k in sorted(tags) if k.startswith(PREFIX)}
