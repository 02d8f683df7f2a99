"""Every control: at least one compliant and one non-compliant fixture, with the expected result.

Deploy checks run on the shipped stacks changed in one place; admission policies are CEL
evaluated offline with cel-python; registry controls are judged from the models lock;
runtime controls from dated evidence.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from allmende.blueprints.schema import ExceptionDecl, Provider, Replicas
from allmende.modules.types import ModulePlan, Plan
from allmende.policies.admission import offline, params
from allmende.policies.checks import DEPLOY
from allmende.policies.context import Context, Evidence
from allmende.policies.evaluate import combined, evaluate, exception_findings, judge, registry_findings
from allmende.policies.load import catalogue
from allmende.policies.schema import Catalogue
from tests.unit.policies.fixtures import (
    SAFE_CONTAINER,
    TENANT,
    context,
    isvc,
    obj,
    patch,
    pod,
)

REG = "accountability.register_entries"
LONG = (
    "This sentence is far too long for anyone to read in one go because it keeps adding words"
    " and more words without ever pausing for breath at all."
)
PROVIDER_NAME = Provider(
    name="cloud-llm", hosts=["api.cloud-llm.example"], contract="https://example.org/c", services=["campus-chat"]
)
PROVIDER_CIDR = Provider(
    name="cloud-llm", hosts=["203.0.113.0/24"], contract="https://example.org/c", services=["campus-chat"]
)
HEALTH_PROVIDER = Provider(
    name="cloud-llm", hosts=["203.0.113.0/24"], contract="https://example.org/c", services=["sepsis-risk"]
)


def _without(
    ctx: Context, kind: str | None = None, charts: bool = False, extra: list[dict[str, Any]] | None = None
) -> Context:
    modules = {
        name: ModulePlan(
            module=m.module,
            objects=[o for o in m.objects if o["kind"] != kind] + (extra or [] if name == "tenancy" else []),
            charts=[] if charts else list(m.charts),
        )
        for name, m in ctx.plan.modules.items()
    }
    return dataclasses.replace(ctx, plan=Plan(stack=ctx.plan.stack, sector=ctx.plan.sector, modules=modules))


def _unlabelled_namespace(ctx: Context) -> Context:
    modules = {}
    for name, m in ctx.plan.modules.items():
        objs = [
            patch(o, "metadata.labels", {}) if o["kind"] == "Namespace" and o["metadata"]["name"] == "radiology" else o
            for o in m.objects
        ]
        modules[name] = ModulePlan(module=m.module, objects=objs, charts=list(m.charts))
    return dataclasses.replace(ctx, plan=Plan(stack=ctx.plan.stack, sector=ctx.plan.sector, modules=modules))


def _future_catalogue(ctx: Context) -> Context:
    first = ctx.catalogue.controls[0]
    changed = patch(first, "changelog", [first.changelog[0].model_copy(update={"date": "2099-01-01"})])
    return dataclasses.replace(ctx, catalogue=Catalogue(controls=(changed, *ctx.catalogue.controls[1:])))


PRIVILEGED = obj(
    "Deployment",
    {"template": {"spec": {"containers": [{**SAFE_CONTAINER, "securityContext": {"privileged": True}}]}}},
    name="bad",
)

# (control, stack, changes to the blueprint, a change to the context, expected status)
DEPLOY_CASES: list[tuple[str, str, dict[str, Any], Any, str]] = [
    ("open-api-access", "science", {}, None, "met"),
    ("open-api-access", "science", {"serving.services.0.runtime": "mlserver"}, None, "not-met"),
    ("plain-language-summary", "health", {}, None, "met"),
    ("plain-language-summary", "health", {f"{REG}.report-drafting.description_short": LONG}, None, "not-met"),
    ("complaint-route", "health", {}, None, "met"),
    ("complaint-route", "health", {"institution.complaints.url": ""}, None, "not-met"),
    ("register-entry", "health", {}, None, "met"),
    ("register-entry", "health", {f"{REG}.sepsis-risk.name": "S" * 150}, None, "not-met"),
    ("risk-class-declared", "health", {}, None, "met"),
    (
        "risk-class-declared",
        "health",
        {f"{REG}.sepsis-risk.publication_category": "Overige algoritmes"},
        None,
        "not-met",
    ),
    ("risk-class-declared", "science", {f"{REG}.campus-chat.risk_class": "prohibited"}, None, "not-met"),
    ("research-exemption-justified", "science", {}, None, "met"),
    ("research-exemption-justified", "science", {"serving.services.1.exposure": "public"}, None, "not-met"),
    (
        "research-exemption-justified",
        "health",
        {f"{REG}.sepsis-risk.research_exemption": "We are researching sepsis here."},
        None,
        "not-met",
    ),
    ("owner-accountable", "health", {}, None, "met"),
    ("owner-accountable", "health", {"institution.owner.contact": "nobody"}, None, "not-met"),
    ("human-oversight", "health", {}, None, "met"),
    ("human-oversight", "health", {f"{REG}.sepsis-risk.oversight.can_stop": False}, None, "not-met"),
    ("dpia-linked", "health", {}, None, "met"),
    ("dpia-linked", "health", {f"{REG}.sepsis-risk.dpia": None}, None, "not-met"),
    ("dpia-linked", "health", {f"{REG}.sepsis-risk.dpia.date": "2024-01-02"}, None, "not-met"),
    ("dpia-linked", "science", {}, None, "met"),
    ("fria-linked", "health", {}, None, "met"),
    ("fria-linked", "health", {f"{REG}.report-drafting.fria": None}, None, "not-met"),
    ("eu-database-registration", "health", {}, None, "met"),
    ("eu-database-registration", "health", {f"{REG}.report-drafting.eu_database_id": None}, None, "not-met"),
    ("log-retention", "health", {}, None, "met"),
    ("log-retention", "health", {"rules.log_retention_days": 90}, None, "not-met"),
    ("external-providers-declared", "health", {}, None, "met"),
    ("external-providers-declared", "science", {"accountability.providers": [PROVIDER_CIDR]}, None, "met"),
    ("external-providers-declared", "health", {"accountability.providers": [HEALTH_PROVIDER]}, None, "not-met"),
    ("register-status-current", "health", {}, None, "met"),
    ("register-status-current", "health", {f"{REG}.sepsis-risk.status": "Buiten gebruik"}, None, "not-met"),
    ("critical-replicas", "health", {}, None, "met"),
    ("critical-replicas", "health", {"serving.services.1.replicas": Replicas(min=1, max=3)}, None, "not-met"),
    ("egress-allowlist", "science", {}, None, "met"),
    ("egress-allowlist", "science", {"accountability.providers": [PROVIDER_CIDR]}, None, "met"),
    ("egress-allowlist", "science", {"accountability.providers": [PROVIDER_NAME]}, None, "not-met"),
    ("egress-allowlist", "health", {"accountability.providers": [HEALTH_PROVIDER]}, None, "not-met"),
    ("data-residency", "health", {}, None, "met"),
    ("data-residency", "health", {"cluster.pools.1.region": "us-east"}, None, "not-met"),
    ("idle-gpus-released", "science", {}, None, "met"),
    ("idle-gpus-released", "science", {"serving.services.0.scale_to_zero": False}, None, "not-met"),
    ("gpu-quota-per-tenant", "health", {}, None, "met"),
    ("gpu-quota-per-tenant", "health", {}, lambda c: _without(c, "ResourceQuota"), "not-met"),
    ("default-deny-network", "health", {}, None, "met"),
    ("default-deny-network", "health", {}, lambda c: _without(c, "NetworkPolicy"), "not-met"),
    ("pod-security-restricted", "health", {}, None, "met"),
    ("pod-security-restricted", "health", {}, _unlabelled_namespace, "not-met"),
    ("pod-security-restricted", "health", {}, lambda c: _without(c, extra=[PRIVILEGED]), "not-met"),
    ("energy-metering", "health", {}, None, "met"),
    ("energy-metering", "health", {"operators.gpu_operator": "managed"}, lambda c: _without(c, charts=True), "not-met"),
    ("kubernetes-supported", "health", {}, None, "met"),
    ("kubernetes-supported", "health", {"cluster.kubernetes_version": "1.30"}, None, "not-met"),
    ("policies-versioned", "health", {}, None, "met"),
    ("policies-versioned", "health", {}, _future_catalogue, "not-met"),
]


def _deploy_status(ctx: Context, control: str) -> str:
    findings = DEPLOY[control](ctx) + exception_findings(ctx, control)
    return combined([judge(ctx, f).status for f in findings])


@pytest.mark.parametrize(("control", "stack", "changes", "change_ctx", "expected"), DEPLOY_CASES)
def test_deploy_check(control: str, stack: str, changes: dict[str, Any], change_ctx: Any, expected: str) -> None:
    ctx = context(stack, changes)
    if change_ctx is not None:
        ctx = change_ctx(ctx)
    assert _deploy_status(ctx, control) == expected


# (control, stack, object, expected verdict: True admitted, False refused)
ISVC_LOGGER = {"logger": {"mode": "all", "url": "http://sink"}}
ADMISSION_CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("images-pinned", "health", pod(), True),
    ("images-pinned", "health", pod({**SAFE_CONTAINER, "image": "ghcr.io/x/app@sha256:" + "0" * 64}), True),
    ("images-pinned", "health", pod({**SAFE_CONTAINER, "image": "ghcr.io/x/app"}), False),
    ("images-pinned", "health", pod({**SAFE_CONTAINER, "image": "nginx:latest"}), False),
    ("images-pinned", "health", pod({**SAFE_CONTAINER, "image": "registry.local:5000/app"}), False),
    (
        "images-pinned",
        "health",
        obj(
            "CronJob",
            {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "busybox"}]}}}}},
        ),
        False,
    ),
    ("trusted-registries", "health", pod(), True),
    ("trusted-registries", "health", pod({**SAFE_CONTAINER, "image": "nginx:1.27"}), True),
    ("trusted-registries", "health", pod({**SAFE_CONTAINER, "image": "evil.example.com/app:1.0"}), False),
    ("trusted-registries", "health", pod(initContainers=[{"name": "i", "image": "localhost/tool:1"}]), False),
    ("gpu-limits-set", "health", pod(), True),
    (
        "gpu-limits-set",
        "health",
        pod(
            {**SAFE_CONTAINER, "resources": {"limits": {"nvidia.com/gpu": "1"}}},
            tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists"}],
        ),
        True,
    ),
    ("gpu-limits-set", "health", pod(tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists"}]), False),
    ("gpu-limits-set", "health", pod(nodeSelector={"nvidia.com/gpu.present": "true"}), False),
    ("data-residency", "health", isvc(), True),
    ("data-residency", "health", isvc(affinity={}, nodeSelector={"topology.kubernetes.io/region": "de-north"}), True),
    ("data-residency", "health", isvc(affinity={}), False),
    ("data-residency", "health", isvc(affinity={}, nodeSelector={"topology.kubernetes.io/region": "us-east"}), False),
    ("payload-logging-denied", "health", isvc(), True),
    ("payload-logging-denied", "health", isvc(**ISVC_LOGGER), False),
    ("models-from-own-storage", "health", isvc(), True),
    (
        "models-from-own-storage",
        "health",
        isvc(model={"modelFormat": {"name": "huggingface"}, "storageUri": "hf://mistralai/x"}),
        False,
    ),
    ("register-labels", "health", isvc(), True),
    (
        "register-labels",
        "health",
        isvc(labels={k: v for k, v in isvc()["metadata"]["labels"].items() if "licence" not in k}),
        False,
    ),
    (
        "register-labels",
        "health",
        isvc(labels={**isvc()["metadata"]["labels"], "allmende.org/register-id": "ghost"}),
        False,
    ),
    ("register-labels", "health", isvc(annotations={}), False),
    ("licence-open", "health", isvc(), True),
    (
        "licence-open",
        "health",
        isvc(labels={**isvc()["metadata"]["labels"], "allmende.org/licence": "CC-BY-4.0"}),
        False,
    ),
    (
        "licence-open",
        "science",
        isvc(labels={**isvc()["metadata"]["labels"], "allmende.org/licence": "CC-BY-4.0"}),
        True,
    ),
    ("provenance-pinned", "health", isvc(), True),
    (
        "provenance-pinned",
        "health",
        isvc(annotations={**isvc()["metadata"]["annotations"], "allmende.org/model-checksum": "md5:00"}),
        False,
    ),
    (
        "provenance-pinned",
        "health",
        isvc(labels={**isvc()["metadata"]["labels"], "allmende.org/model-version": "latest"}),
        False,
    ),
    (
        "pod-security-restricted",
        "health",
        obj(
            "Namespace",
            {},
            labels={"pod-security.kubernetes.io/enforce": "restricted"},
            name="radiology",
            namespace=None,
        ),
        True,
    ),
    (
        "pod-security-restricted",
        "health",
        obj(
            "Namespace", {}, labels={"pod-security.kubernetes.io/enforce": "baseline"}, name="radiology", namespace=None
        ),
        False,
    ),
    ("tls-ingress", "health", obj("Ingress", {"tls": [{"hosts": ["a.example.org"]}], "rules": []}), True),
    ("tls-ingress", "health", obj("Ingress", {"rules": []}), False),
    (
        "tls-ingress",
        "health",
        obj("Gateway", {"listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}, namespace="allmende-serving"),
        False,
    ),
]


def _verdict(stack: str, o: dict[str, Any], control: str, changes: dict[str, Any] | None = None) -> bool | None:
    bp = context(stack, changes).blueprint
    ns = o["metadata"].get("namespace")
    labels = TENANT if ns in {t.namespace for t in bp.tenants} else ({} if ns else None)
    if o["kind"] == "Namespace":
        labels = None
    verdict = offline.evaluate(control, o, params.params_data(bp), ns, labels)
    return None if verdict is None else verdict.allowed


@pytest.mark.parametrize(("control", "stack", "o", "admitted"), ADMISSION_CASES)
def test_admission_policy(control: str, stack: str, o: dict[str, Any], admitted: bool) -> None:
    if stack == "science":
        o = patch(o, "metadata.namespace", "humanities")
    assert _verdict(stack, o, control) is admitted


def test_policies_do_not_apply_outside_their_scope() -> None:
    outside = patch(pod({**SAFE_CONTAINER, "image": "nginx"}), "metadata.namespace", "kube-system")
    assert _verdict("health", outside, "images-pinned") is None
    not_data_bearing = isvc(labels={**isvc()["metadata"]["labels"], "allmende.org/data-bearing": "false"}, affinity={})
    assert _verdict("health", not_data_bearing, "data-residency") is None
    assert (
        _verdict(
            "health", obj("Namespace", {}, labels={}, name="kube-public", namespace=None), "pod-security-restricted"
        )
        is None
    )


EXCEPTION = ExceptionDecl(
    control="payload-logging-denied",
    services=["campus-chat"],
    reason="A two-week usability study with consenting participants.",
    approver="Data protection officer",
    expires="2027-01-31",
)


def test_a_declared_exception_lifts_payload_logging_for_the_named_service_only() -> None:
    changes = {"accountability.exceptions": [EXCEPTION]}
    chat = patch(
        patch(isvc(**ISVC_LOGGER), "metadata.namespace", "humanities"),
        "metadata.labels",
        {**isvc()["metadata"]["labels"], "allmende.org/service": "campus-chat"},
    )
    other = patch(chat, "metadata.labels", {**chat["metadata"]["labels"], "allmende.org/service": "galaxy-morphology"})
    elsewhere = patch(chat, "metadata.namespace", "physics")
    assert _verdict("science", chat, "payload-logging-denied", changes) is True
    assert _verdict("science", other, "payload-logging-denied", changes) is False
    assert _verdict("science", elsewhere, "payload-logging-denied", changes) is False
    assert _verdict("science", chat, "payload-logging-denied") is False


def test_health_never_honours_payload_logging_exceptions() -> None:
    exc = EXCEPTION.model_copy(update={"services": ["report-drafting"]})
    ctx = context("health", {"accountability.exceptions": [exc]})
    assert not any(k.startswith("exception.") for k in params.params_data(ctx.blueprint))
    assert (
        _verdict("health", isvc(**ISVC_LOGGER), "payload-logging-denied", {"accountability.exceptions": [exc]}) is False
    )


def test_an_active_exception_marks_only_its_services_and_an_expired_one_fails() -> None:
    long_text = {f"{REG}.campus-chat.description_short": LONG, f"{REG}.galaxy-morphology.description_short": LONG}
    exc = EXCEPTION.model_copy(update={"control": "plain-language-summary"})
    ctx = context("science", {**long_text, "accountability.exceptions": [exc]})
    by_service = {f.service: judge(ctx, f).status for f in DEPLOY["plain-language-summary"](ctx)}
    assert by_service == {"campus-chat": "exception", "galaxy-morphology": "not-met"}
    expired = exc.model_copy(update={"expires": "2026-01-01"})
    ctx = context("science", {"accountability.exceptions": [expired]})
    assert _deploy_status(ctx, "plain-language-summary") == "not-met"
    assert any("expired on 2026-01-01" in f.message for f in exception_findings(ctx))


def test_an_exception_for_an_unknown_control_fails_policies_versioned() -> None:
    ctx = context("science", {"accountability.exceptions": [EXCEPTION.model_copy(update={"control": "no-such-rule"})]})
    assert _deploy_status(ctx, "policies-versioned") == "not-met"


REGISTRY_ONLY = [c.id for c in catalogue().controls if c.enforced_at == ["registry"]]


@pytest.mark.parametrize("control", [c.id for c in catalogue().at("registry")])
def test_registry_controls_follow_the_lock(control: str) -> None:
    with_lock = context("health")
    assert with_lock.lock is not None, "stacks/health.models.lock.yaml is missing"
    assert (
        combined([judge(with_lock, f).status for f in registry_findings(with_lock, catalogue().get(control))]) == "met"
    )
    without = context("health", lock=None)
    assert {judge(without, f).status for f in registry_findings(without, catalogue().get(control))} == {"pending"}


RUNTIME_CONTROLS = [c.id for c in catalogue().at("runtime")]


@pytest.mark.parametrize("control", RUNTIME_CONTROLS)
def test_runtime_controls_judge_dated_evidence(control: str) -> None:
    from allmende.policies.checks.runtime import RUNTIME_CHECKS, runtime_findings

    ctx = context("health", {"accountability.providers": []})
    subjects = RUNTIME_CHECKS[control].subjects(ctx.blueprint)
    if not subjects:  # e.g. no provider in health: give the check something to judge
        subjects = [None]
    fresh = tuple(Evidence(control=control, service=s, date="2026-11-20", passed=True) for s in subjects)
    failing = tuple(Evidence(control=control, service=s, date="2026-11-20", passed=False, detail="x") for s in subjects)
    stale = tuple(Evidence(control=control, service=s, date="2025-01-01", passed=True) for s in subjects)
    judged = {}
    for name, evidence in (("fresh", fresh), ("failing", failing), ("stale", stale), ("none", ())):
        c = dataclasses.replace(ctx, evidence=evidence)
        judged[name] = combined([judge(c, f).status for f in runtime_findings(c, control)])
    if RUNTIME_CHECKS[control].subjects(ctx.blueprint):
        assert judged == {"fresh": "met", "failing": "not-met", "stale": "not-met", "none": "pending"}
    else:
        assert set(judged.values()) == {"met"}  # nothing to check here


def test_every_control_has_a_compliant_and_a_non_compliant_fixture() -> None:
    good: set[str] = set()
    bad: set[str] = set()
    for control, _, _, _, expected in DEPLOY_CASES:
        (good if expected == "met" else bad).add(control)
    for control, _, _, admitted in ADMISSION_CASES:
        (good if admitted else bad).add(control)
    registry = {c.id for c in catalogue().at("registry")}
    runtime = set(RUNTIME_CONTROLS)
    good |= registry | runtime
    bad |= registry | runtime  # pending without a locked version / failing or stale evidence
    missing = sorted((set(catalogue().ids()) - good) | (set(catalogue().ids()) - bad))
    assert not missing, f"controls without both fixtures: {missing}"


def test_the_shipped_stacks_evaluate_without_errors() -> None:
    for stack in ("science", "health", "manufacturing"):
        ev = evaluate(context(stack))
        assert set(ev.outcomes) == set(catalogue().ids())
