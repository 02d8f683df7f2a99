"""The registry controls: pure checks over a model version's tags (and card) and the sector's Rules.

Each control id is the one the policy catalogue names; each result says pass or fail and why,
in one sentence a model steward can act on. `models check` prints them, `models approve`
refuses unless they pass, `models lock` refuses a version that does not pass them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict

from allmende.blueprints.schema import Rules
from allmende.models import tags
from allmende.models.card import Card

LICENCE_OPEN = "licence-open"
OPENNESS_CLASS = "openness-class"
MODEL_CARD = "model-card"
PROVENANCE_PINNED = "provenance-pinned"
EVALUATION_PASSED = "evaluation-passed"
APPROVED_BY_PERSON = "approved-by-person"
TRAINING_EMISSIONS_RECORDED = "training-emissions-recorded"

PINNED_REVISION = re.compile(r"^([0-9a-f]{40}|sha256:[0-9a-f]{64})$")
ROMAN = {1: "I", 2: "II", 3: "III"}
# Names that are accounts or roles, not people: an approval must name who is answerable.
NOT_A_PERSON = frozenset({"admin", "administrator", "root", "ci", "bot", "system", "automation", "pipeline", "mlflow"})


class Facts(BaseModel):
    """What the checks look at: the version's tags and its model card (None: not readable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tags: dict[str, str]
    card: Card | None = None
    card_problem: str = ""


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    control: str
    passed: bool
    why: str
    fix: str = ""


def _ok(control: str, why: str) -> Result:
    return Result(control=control, passed=True, why=why)


def _fail(control: str, why: str, fix: str) -> Result:
    return Result(control=control, passed=False, why=why, fix=fix)


def licence_open(facts: Facts, rules: Rules) -> Result:
    licence = facts.tags.get(tags.LICENCE, "").strip()
    allowed = ", ".join(rules.allowed_licences)
    if not licence:
        return _fail(LICENCE_OPEN, "no licence recorded", f"register with --licence (one of: {allowed})")
    if licence.casefold() in {a.casefold() for a in rules.allowed_licences}:
        return _ok(LICENCE_OPEN, f"{licence} is on the sector's list")
    return _fail(
        LICENCE_OPEN,
        f"{licence} is not on the sector's list ({allowed})",
        "choose a model under an allowed licence, or have the institution review and add it to rules.allowed_licences",
    )


def openness_class(facts: Facts, rules: Rules) -> Result:
    raw = facts.tags.get(tags.OPENNESS_CLASS, "").strip()
    need = rules.min_openness_class
    if raw not in ("1", "2", "3"):
        shown = f"{raw!r} is not a class (1, 2 or 3)" if raw else "no openness class recorded"
        return _fail(OPENNESS_CLASS, shown, "register with --openness-class 1|2|3 (Model Openness Framework)")
    value = int(raw)
    if value <= need:
        return _ok(OPENNESS_CLASS, f"class {ROMAN[value]} meets the sector's minimum, class {ROMAN[need]}")
    return _fail(
        OPENNESS_CLASS,
        f"class {ROMAN[value]} is less open than the sector's minimum, class {ROMAN[need]}",
        "choose a more open model (its weights, code and data published under open licences)",
    )


def model_card(facts: Facts, rules: Rules) -> Result:
    if not facts.tags.get(tags.MODEL_CARD):
        return _fail(MODEL_CARD, "no model card registered", "register with --card MODEL_CARD.md")
    if facts.card is None:
        why = f"the model card cannot be read: {facts.card_problem}" if facts.card_problem else "card not read"
        return _fail(MODEL_CARD, why, "register the version again with a readable --card")
    missing = facts.card.missing_sections()
    if missing:
        return _fail(
            MODEL_CARD,
            f"the model card lacks: {', '.join(missing)}",
            "add a heading for each missing section and register the card again",
        )
    return _ok(MODEL_CARD, "the model card has intended use, out-of-scope use, limitations, evaluation, training data")


def provenance_pinned(facts: Facts, rules: Rules) -> Result:
    t = facts.tags
    missing = [
        name
        for name, key in (
            ("source URI", tags.SOURCE_URI),
            ("source revision", tags.SOURCE_REVISION),
            ("datasets", tags.DATASETS),
            ("base model", tags.BASE_MODEL),
        )
        if not t.get(key, "").strip()
    ]
    if missing:
        return _fail(
            PROVENANCE_PINNED,
            f"not recorded: {', '.join(missing)}",
            "register with --source-uri, --source-revision, --dataset and --base-model (or `none`)",
        )
    revision = t[tags.SOURCE_REVISION].strip()
    if not PINNED_REVISION.match(revision):
        return _fail(
            PROVENANCE_PINNED,
            f"source revision {revision!r} is not pinned (a branch or tag can move)",
            "record the 40-hex commit or sha256:<digest> of the source",
        )
    return _ok(PROVENANCE_PINNED, f"{t[tags.SOURCE_URI]} at {revision[:19]}…, datasets and base model recorded")


def evaluation_passed(facts: Facts, rules: Rules) -> Result:
    t = facts.tags
    status = t.get(tags.EVALUATION_STATUS)
    if status is None:
        return _fail(EVALUATION_PASSED, "never evaluated", "run `allmende models evaluate` with the sector's dataset")
    if status != tags.PASSED:
        reason = t.get(tags.EVALUATION_REASON) or t.get(tags.EVALUATION_METRICS, "")
        return _fail(
            EVALUATION_PASSED,
            f"the last evaluation {status}: {reason}".rstrip(": "),
            "improve the model or its data, register a new version and evaluate it",
        )
    missing = [
        k for k in (tags.EVALUATION_METRICS, tags.EVALUATION_DATASET_SHA256, tags.EVALUATION_DATE) if not t.get(k)
    ]
    if missing:
        return _fail(EVALUATION_PASSED, f"the evaluation record lacks {', '.join(missing)}", "evaluate again")
    evaluated, registered = t.get(tags.EVALUATION_ARTIFACTS_SHA256), t.get(tags.ARTIFACTS_SHA256)
    if registered and evaluated != registered:
        return _fail(
            EVALUATION_PASSED,
            "the artifacts changed after the evaluation (checksums differ)",
            "evaluate the version again",
        )
    return _ok(EVALUATION_PASSED, f"{t[tags.EVALUATION_METRICS]} on {t[tags.EVALUATION_DATE]}")


def is_person(name: str) -> bool:
    """A named person, not an account or a role such as `admin` or `ci`."""
    text = name.strip().casefold()
    if not text:
        return False
    first = re.split(r"[\s<@]+", text)[0]
    return first not in NOT_A_PERSON and not first.endswith(("-bot", "[bot]"))


def approved_by_person(facts: Facts, rules: Rules) -> Result:
    t = facts.tags
    if t.get(tags.REVIEW_STATUS) != tags.APPROVED:
        return _fail(APPROVED_BY_PERSON, "not approved", "a named person runs `allmende models approve --by NAME`")
    by = t.get(tags.REVIEW_BY, "")
    if not is_person(by):
        return _fail(APPROVED_BY_PERSON, f"approver {by!r} is not a named person", "approve again with --by NAME")
    if not t.get(tags.REVIEW_DATE):
        return _fail(APPROVED_BY_PERSON, "the approval has no date", "approve again")
    return _ok(APPROVED_BY_PERSON, f"approved by {by} on {t[tags.REVIEW_DATE]}")


def _number(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def training_emissions_recorded(facts: Facts, rules: Rules) -> Result:
    t = facts.tags
    recorded = {
        label: t[key]
        for label, key in (("kg CO2e", tags.TRAINING_CO2_KG), ("kWh", tags.TRAINING_ENERGY_KWH))
        if key in t
    }
    if not recorded:
        return _fail(
            TRAINING_EMISSIONS_RECORDED,
            "no training emissions or energy recorded",
            "register with --co2-kg or --energy-kwh (and --emissions-source), or the card's co2_eq_emissions",
        )
    bad = [f"{label} {value!r}" for label, value in recorded.items() if _number(value) is None]
    if bad:
        return _fail(TRAINING_EMISSIONS_RECORDED, f"not a non-negative number: {', '.join(bad)}", "record a number")
    if not t.get(tags.TRAINING_EMISSIONS_SOURCE):
        return _fail(
            TRAINING_EMISSIONS_RECORDED,
            "the emissions have no source (measured how?)",
            "register with --emissions-source (e.g. `codecarbon`, `provider report`)",
        )
    shown = ", ".join(f"{value} {label}" for label, value in recorded.items())
    return _ok(TRAINING_EMISSIONS_RECORDED, f"{shown} ({t[tags.TRAINING_EMISSIONS_SOURCE]})")


Check = Callable[[Facts, Rules], Result]

# Every registry control, in the order they are shown.
CHECKS: Mapping[str, Check] = {
    LICENCE_OPEN: licence_open,
    OPENNESS_CLASS: openness_class,
    MODEL_CARD: model_card,
    PROVENANCE_PINNED: provenance_pinned,
    EVALUATION_PASSED: evaluation_passed,
    APPROVED_BY_PERSON: approved_by_person,
    TRAINING_EMISSIONS_RECORDED: training_emissions_recorded,
}
CONTROLS: tuple[str, ...] = tuple(CHECKS)


def run(facts: Facts, rules: Rules, skip: frozenset[str] = frozenset()) -> list[Result]:
    return [check(facts, rules) for control, check in CHECKS.items() if control not in skip]


def unmet(results: list[Result]) -> list[Result]:
    return [r for r in results if not r.passed]
