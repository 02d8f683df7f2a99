"""Runtime checks: dated results of probes, reviews and benchmarks, judged by their age.

The results arrive as Evidence records (a JSON file given to the report); a control checked
only while running is "pending" until its first dated result exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from allmende.blueprints.schema import Blueprint
from allmende.policies.context import Context, Finding

DEFAULT_MAX_AGE = 92  # a quarter


@dataclass(frozen=True)
class RuntimeCheck:
    subjects: Callable[[Blueprint], list[str | None]]
    max_age: Callable[[Blueprint], int]
    what: str


def _stack(_: Blueprint) -> list[str | None]:
    return [None]


def _services(bp: Blueprint) -> list[str | None]:
    return [s.name for s in bp.serving.services]


def _open_services(bp: Blueprint) -> list[str | None]:
    return [s.name for s in bp.serving.services if s.exposure != "internal"]


def _llm_services(bp: Blueprint) -> list[str | None]:
    return [s.name for s in bp.serving.services if s.runtime == "huggingface"]


def _high_risk(bp: Blueprint) -> list[str | None]:
    entries = bp.accountability.register_entries
    return [s.name for s in bp.serving.services if s.name in entries and entries[s.name].risk_class == "high"]


def _provider_services(bp: Blueprint) -> list[str | None]:
    names: list[str | None] = list(sorted({s for p in bp.accountability.providers for s in p.services}))
    return names


def _quarter(_: Blueprint) -> int:
    return DEFAULT_MAX_AGE


def _month(_: Blueprint) -> int:
    return 31


def _review(bp: Blueprint) -> int:
    return bp.rules.review_period_days


RUNTIME_CHECKS: dict[str, RuntimeCheck] = {
    "ai-interaction-disclosed": RuntimeCheck(_open_services, _quarter, "disclosure probe"),
    "cis-baseline": RuntimeCheck(_stack, _quarter, "CIS benchmark run"),
    "default-deny-network": RuntimeCheck(_stack, _quarter, "blocked-connection probe"),
    "energy-metering": RuntimeCheck(_stack, _month, "energy measurements"),
    "energy-published": RuntimeCheck(_stack, _month, "monthly energy publication"),
    "human-oversight": RuntimeCheck(_services, _quarter, "stop-permission check"),
    "idle-gpus-released": RuntimeCheck(_stack, _month, "monthly GPU idle report"),
    "kubernetes-supported": RuntimeCheck(_stack, _month, "cluster version check"),
    "no-identifiers-to-providers": RuntimeCheck(_provider_services, _quarter, "provider contract test"),
    "open-api-access": RuntimeCheck(_llm_services, _quarter, "API probe"),
    "periodic-review": RuntimeCheck(_services, _review, "review record"),
    "register-status-current": RuntimeCheck(_stack, _quarter, "register comparison"),
    "use-events-logged": RuntimeCheck(_high_risk, _quarter, "use-record completeness check"),
}


def runtime_findings(ctx: Context, control: str) -> list[Finding]:
    """Per subject: the newest dated result, judged by its age; pending when there is none."""
    check = RUNTIME_CHECKS[control]
    limit = check.max_age(ctx.blueprint)
    subjects = check.subjects(ctx.blueprint)
    if not subjects:
        return [Finding(control, True, f"no service here needs a {check.what}", point="runtime")]
    out: list[Finding] = []
    for subject in subjects:
        results = sorted(
            (e for e in ctx.evidence if e.control == control and e.service == subject), key=lambda e: e.date
        )
        if not results:
            out.append(
                Finding(control, None, f"no dated {check.what} yet", subject, point="runtime", fix="run the check")
            )
            continue
        newest = results[-1]
        age = ctx.age_days(newest.date)
        if not newest.passed:
            message = f"{check.what} of {newest.date} failed" + (f": {newest.detail}" if newest.detail else "")
            out.append(
                Finding(
                    control,
                    False,
                    message,
                    subject,
                    "runtime",
                    fix="correct it and check again",
                    evidence_date=newest.date,
                )
            )
        elif age > limit:
            out.append(
                Finding(
                    control,
                    False,
                    f"the last {check.what} is {age} days old (at most {limit})",
                    subject,
                    "runtime",
                    fix="run the check again",
                    evidence_date=newest.date,
                )
            )
        else:
            out.append(
                Finding(
                    control,
                    True,
                    f"{check.what} of {newest.date} passed",
                    subject,
                    "runtime",
                    evidence_date=newest.date,
                )
            )
    return out
