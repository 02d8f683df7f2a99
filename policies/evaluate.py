"""Every control judged for one stack: deploy checks, admission policies (on planned or
previewed objects), registry state, runtime evidence — with declared exceptions applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from allmende.audit.report import live_findings
from allmende.blueprints.schema import Blueprint, ExceptionDecl
from allmende.models.lock import ModelsLock
from allmende.modules.labels import DOMAIN, SERVICE
from allmende.modules.types import Manifest, Plan
from allmende.policies.actions import action_for
from allmende.policies.admission import offline, params
from allmende.policies.admission.rules import BY_CONTROL, NETWORK_CONTROLS
from allmende.policies.checks import DEPLOY
from allmende.policies.checks.pod_security import WORKLOAD_KINDS, pod_violations
from allmende.policies.checks.runtime import runtime_findings
from allmende.policies.context import STATUS_ORDER, Context, Evidence, Finding, Status
from allmende.policies.schema import Catalogue, Control

TENANT_LABELS = {f"{DOMAIN}/role": "tenant"}


@dataclass(frozen=True)
class Outcome:
    finding: Finding
    status: Status
    exception: ExceptionDecl | None = None


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    for status in STATUS_ORDER:
        if status in present and status != "pending":
            return status
    return "pending" if "pending" in present else "met"


def combined(statuses: list[Status]) -> Status:
    """A control's status from its parts: any failure wins; pending only if nothing else is known."""
    known = [s for s in statuses if s != "pending"]
    return worst(known) if known else "pending"


def active_exception(bp: Blueprint, control: str, service: str | None, today: date) -> ExceptionDecl | None:
    for exc in bp.accountability.exceptions:
        if exc.control == control and service in exc.services and date.fromisoformat(exc.expires) >= today:
            return exc
    return None


def exception_findings(ctx: Context, control: str | None = None) -> list[Finding]:
    """Expired exceptions fail their control; exceptions of unknown controls fail policies-versioned."""
    known = set(ctx.catalogue.ids())
    out: list[Finding] = []
    for i, exc in enumerate(ctx.blueprint.accountability.exceptions):
        at = f"accountability.exceptions[{i}]"
        if exc.control not in known:
            out.append(
                Finding(
                    "policies-versioned",
                    False,
                    f"an exception names the unknown control {exc.control!r}",
                    path=f"{at}.control",
                    fix="name a control of the catalogue",
                )
            )
            continue
        if date.fromisoformat(exc.expires) < ctx.today:
            out += [
                Finding(
                    exc.control,
                    False,
                    f"the exception expired on {exc.expires}",
                    service,
                    path=f"{at}.expires",
                    fix="renew it with a new decision, or remove it",
                )
                for service in exc.services
            ]
    return [f for f in out if control is None or f.control == control]


def namespace_labels(bp: Blueprint, namespace: str | None) -> dict[str, str] | None:
    if namespace is None:
        return None
    return dict(TENANT_LABELS) if namespace in {t.namespace for t in bp.tenants} else {}


def object_findings(ctx: Context, control: str, objects: Iterable[tuple[Manifest, str | None]]) -> list[Finding]:
    """The control's admission policy (and the restricted profile) on concrete objects."""
    data = params.params_data(ctx.blueprint)
    tenant_namespaces = {t.namespace for t in ctx.blueprint.tenants}
    out: list[Finding] = []
    for obj, urn in objects:
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace")
        service = (meta.get("labels") or {}).get(SERVICE)
        name = f"{obj.get('kind')} {ns + '/' if ns else ''}{meta.get('name')}"
        if control in BY_CONTROL:
            verdict = offline.evaluate(control, obj, data, ns, namespace_labels(ctx.blueprint, ns))
            if verdict is not None and not verdict.allowed:
                out.append(
                    Finding(
                        control,
                        False,
                        f"{name}: {'; '.join(verdict.messages)}",
                        service,
                        "admission",
                        fix="correct the object",
                        urn=urn,
                    )
                )
        if control == "pod-security-restricted" and obj.get("kind") in WORKLOAD_KINDS and ns in tenant_namespaces:
            problems = pod_violations(obj)
            if problems:
                out.append(
                    Finding(
                        control,
                        False,
                        f"{name}: {'; '.join(problems)}",
                        service,
                        "admission",
                        fix="lock the workload down",
                        urn=urn,
                    )
                )
    return out


def admission_finding(control: Control, bp: Blueprint) -> Finding:
    if control.id in NETWORK_CONTROLS:
        return Finding(control.id, True, "enforced in the cluster by network rules", point="admission")
    action = action_for(control, bp.rules)
    verb = {"deny": "refused", "warn": "warned about", "audit": "recorded"}[action]
    return Finding(
        control.id, True, f"breaches are {verb} by the cluster (policy allmende-{control.id})", point="admission"
    )


def registry_findings(ctx: Context, control: Control) -> list[Finding]:
    out: list[Finding] = []
    for svc in ctx.blueprint.serving.services:
        locked = ctx.lock.for_service(svc.name) if ctx.lock else None
        if locked is None:
            out.append(
                Finding(
                    control.id,
                    None,
                    "no approved model version is locked yet",
                    svc.name,
                    "registry",
                    fix=f"allmende models approve, then allmende models lock {ctx.stack}",
                )
            )
        else:
            out.append(
                Finding(
                    control.id,
                    True,
                    f"{locked.model} version {locked.version} passed the registry checks",
                    svc.name,
                    "registry",
                )
            )
    return out


def findings_for(ctx: Context, control: Control, objects: list[tuple[Manifest, str | None]]) -> list[Finding]:
    out: list[Finding] = []
    if "deploy" in control.enforced_at:
        out += DEPLOY[control.id](ctx)
    if "admission" in control.enforced_at:
        out.append(admission_finding(control, ctx.blueprint))
        out += object_findings(ctx, control.id, objects)
    if "registry" in control.enforced_at:
        out += registry_findings(ctx, control)
    if "runtime" in control.enforced_at:
        out += runtime_findings(ctx, control.id)
    return out + live_findings(ctx, control.id) + exception_findings(ctx, control.id)


def judge(ctx: Context, finding: Finding) -> Outcome:
    if finding.ok is None:
        return Outcome(finding, "pending")
    if finding.ok:
        return Outcome(finding, "met")
    exc = active_exception(ctx.blueprint, finding.control, finding.service, ctx.today)
    if exc is not None and "expired" not in finding.message:
        return Outcome(finding, "exception", exc)
    return Outcome(finding, "not-met")


@dataclass(frozen=True)
class Evaluation:
    ctx: Context
    outcomes: dict[str, list[Outcome]]

    def status(self, control: str, service: str | None = None) -> Status:
        parts = [o.status for o in self.outcomes[control] if service is None or o.finding.service in (service, None)]
        return combined(parts) if parts else "met"

    def failures(self, control: str) -> list[Outcome]:
        return [o for o in self.outcomes[control] if o.status == "not-met"]


def evaluate(ctx: Context, objects: list[tuple[Manifest, str | None]] | None = None) -> Evaluation:
    """Every control of the catalogue, on the planned objects unless `objects` are given."""
    objs: list[tuple[Manifest, str | None]] = (
        objects if objects is not None else [(o, None) for o in ctx.plan.objects()]
    )
    outcomes = {c.id: [judge(ctx, f) for f in findings_for(ctx, c, objs)] for c in ctx.catalogue.controls}
    return Evaluation(ctx, outcomes)


def make_context(
    stack: str,
    blueprint: Blueprint,
    plan: Plan,
    catalogue: Catalogue,
    today: date,
    evidence: Iterable[Evidence] = (),
    lock: ModelsLock | None = None,
) -> Context:
    return Context(stack, blueprint, plan, catalogue, today, tuple(evidence), lock)
