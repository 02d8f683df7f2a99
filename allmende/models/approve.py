"""`models approve`: a named person sets an alias on a version, only if every registry control passes.

The approval runs under the model's approval lock (`mutex`), so two approvals racing on one
model are serialised: the alias ends on one version, and that version's review tags all come
from the same approval. Afterwards the result is read back and verified.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from allmende.blueprints.schema import Rules
from allmende.errors import AllmendeError
from allmende.models import checks, mutex
from allmende.models import tags as t
from allmende.models.client import Registry, utc_now


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    alias: str
    by: str
    date: str
    previous: str | None
    results: list[checks.Result]


def refusal(name: str, version: str, label: str, unmet: list[checks.Result]) -> AllmendeError:
    noun = "control" if len(unmet) == 1 else "controls"
    lines = [f"refused: {name} version {version} does not meet {len(unmet)} {noun} of {label}:"]
    lines += [f"  - {r.control}: {r.why}" + (f" — {r.fix}" if r.fix else "") for r in unmet]
    return AllmendeError("\n".join(lines), fix="meet each control above, then approve again")


def approve(registry: Registry, name: str, version: str, by: str, alias: str, label: str, rules: Rules) -> Approval:
    if not checks.is_person(by):
        raise AllmendeError(
            f"--by {by!r} does not name a person",
            fix="name the person who answers for this approval, e.g. --by 'Ada Lovelace'",
        )
    registry.version(name, version)  # exists, before taking the lock
    with mutex.held(registry, name, holder=by):
        facts = registry.facts(name, version)
        results = checks.run(facts, rules, skip=frozenset({checks.APPROVED_BY_PERSON}))
        unmet = checks.unmet(results)
        if unmet:
            raise refusal(name, version, label, unmet)
        previous = registry.aliases(name).get(alias)
        date = utc_now()
        review = {
            t.REVIEW_STATUS: t.APPROVED,
            t.REVIEW_BY: by.strip(),
            t.REVIEW_ACCOUNT: registry.account or "(anonymous)",
            t.REVIEW_DATE: date,
            t.REVIEW_ALIAS: alias,
            t.REVIEW_SECTOR: label,
        }
        registry.set_tags(name, version, review)
        registry.set_alias(name, alias, version)
        after = registry.version(name, version)
        written = {k: after.tags.get(k) for k in review}
        if written != review or registry.aliases(name).get(alias) != version:
            raise AllmendeError(
                f"the approval of {name} version {version} was changed while it was written "
                "(someone tagged the version or moved the alias without `allmende models approve`)",
                fix="check the version's tags and aliases in the registry, then approve again",
            )
        final = checks.run(facts.model_copy(update={"tags": dict(after.tags)}), rules)
    return Approval(name=name, version=version, alias=alias, by=by.strip(), date=date, previous=previous, results=final)
