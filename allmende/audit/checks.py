"""The catalogue's controls in the running cluster: pure functions of the Blueprint, the Plan,
the models lock and what the audit saw (a Snapshot)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from allmende import versions
from allmende.audit.diff import quantity
from allmende.audit.results import Result, met, not_met, unknown
from allmende.audit.snapshot import Manifest, Snapshot, ref
from allmende.blueprints.schema import Blueprint
from allmende.models.lock import ModelsLock
from allmende.modules import labels as L
from allmende.modules.gpu_cluster.nodes import POOL, REGION, node_names, pool_labels, pool_taints
from allmende.modules.tenancy.plan import POD_SECURITY
from allmende.modules.types import Plan
from allmende.policies.admission.rules import ISVC_ANNOTATIONS, ISVC_LABELS

GPU = "nvidia.com/gpu"
GPU_QUOTA = f"requests.{GPU}"
SUPPORTED_MINORS = 3
REPAIR = "run `pulumi up --refresh` for this stack"
FINISHED_PHASES = ("Succeeded", "Failed")
LOGGED_PARTS = ("predictor", "transformer", "explainer")


@dataclass(frozen=True)
class Inputs:
    blueprint: Blueprint
    plan: Plan
    lock: ModelsLock | None
    snapshot: Snapshot


def _named(objs: list[Manifest], name: str, namespace: str | None = None) -> Manifest | None:
    for obj in objs:
        meta = obj.get("metadata") or {}
        if meta.get("name") == name and (namespace is None or meta.get("namespace") == namespace):
            return obj
    return None


def _in(objs: list[Manifest], namespace: str) -> list[Manifest]:
    return [o for o in objs if (o.get("metadata") or {}).get("namespace") == namespace]


def _cannot_read(control: str, kind: str, snapshot: Snapshot, subject: str) -> Result | None:
    why = snapshot.why_unreadable(kind)
    return unknown(control, subject, why, "grant the allmende-auditor role") if why else None


def pod_security(i: Inputs) -> list[Result]:
    control = "pod-security-restricted"
    out: list[Result] = []
    for tenant in i.blueprint.tenants:
        subject = f"Namespace {tenant.namespace}"
        if (blocked := _cannot_read(control, "Namespace", i.snapshot, subject)) is not None:
            out.append(blocked)
            continue
        live = _named(i.snapshot.kind("Namespace"), tenant.namespace)
        if live is None:
            out.append(not_met(control, subject, "the namespace is missing", REPAIR))
            continue
        labels = live["metadata"].get("labels") or {}
        wrong = sorted(k for k, v in POD_SECURITY.items() if labels.get(k) != v)
        if wrong:
            found = ", ".join(f"{k}={labels.get(k, '(none)')}" for k in wrong)
            out.append(not_met(control, subject, f"Pod Security labels changed: {found}", REPAIR))
        else:
            out.append(met(control, subject, "enforces the restricted Pod Security profile"))
    return out


def _gpu_requests(pod: Manifest) -> Decimal:
    spec = pod.get("spec") or {}
    total = Decimal(0)
    for container in spec.get("containers") or []:
        resources = container.get("resources") or {}
        raw = (resources.get("requests") or {}).get(GPU) or (resources.get("limits") or {}).get(GPU)
        if raw is not None:
            total += quantity(str(raw)) or Decimal(0)
    return total


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def gpu_quota(i: Inputs) -> list[Result]:
    control = "gpu-quota-per-tenant"
    out: list[Result] = []
    for tenant in i.blueprint.tenants:
        subject = f"ResourceQuota {tenant.namespace}/tenant-quota"
        declared = Decimal(tenant.gpu.nominal)
        if (blocked := _cannot_read(control, "ResourceQuota", i.snapshot, subject)) is not None:
            out.append(blocked)
            continue
        quotas = [q for q in _in(i.snapshot.kind("ResourceQuota"), tenant.namespace) if GPU_QUOTA in _hard(q)]
        if not quotas:
            out.append(not_met(control, subject, f"{tenant.name}: no GPU quota in the namespace", REPAIR))
            continue
        hards = sorted((quantity(str(_hard(q)[GPU_QUOTA])) or Decimal(0), ref(q)) for q in quotas)
        tightest, where = hards[0]
        if tightest != declared:
            out.append(
                not_met(
                    control,
                    where,
                    f"{tenant.name}: GPU quota is {_number(tightest)}, declared {_number(declared)}",
                    REPAIR,
                )
            )
        else:
            out.append(met(control, where, f"{tenant.name}: at most {_number(declared)} GPUs"))
        out.append(_usage(i, tenant.namespace, tenant.name, declared))
    return out


def _hard(quota: Manifest) -> dict[str, str]:
    return dict((quota.get("spec") or {}).get("hard") or {})


def _usage(i: Inputs, namespace: str, tenant: str, declared: Decimal) -> Result:
    control, subject = "gpu-quota-per-tenant", f"GPU requests in {namespace}"
    if (blocked := _cannot_read(control, "Pod", i.snapshot, subject)) is not None:
        return blocked
    pods = [
        p for p in _in(i.snapshot.kind("Pod"), namespace) if (p.get("status") or {}).get("phase") not in FINISHED_PHASES
    ]
    used = sum((_gpu_requests(p) for p in pods), Decimal(0))
    if used > declared:
        return not_met(
            control,
            subject,
            f"{tenant}: running pods request {_number(used)} GPUs, more than the declared {_number(declared)}",
            "restore the quota (pulumi up --refresh) and stop the pods that exceed it",
        )
    return met(control, subject, f"{tenant}: {_number(used)} of {_number(declared)} GPUs requested")


def _is_default_deny(policy: Manifest) -> bool:
    spec = policy.get("spec") or {}
    return (
        not spec.get("podSelector")
        and set(spec.get("policyTypes") or []) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def default_deny(i: Inputs) -> list[Result]:
    control = "default-deny-network"
    out: list[Result] = []
    for tenant in i.blueprint.tenants:
        subject = f"Namespace {tenant.namespace}"
        if (blocked := _cannot_read(control, "NetworkPolicy", i.snapshot, subject)) is not None:
            out.append(blocked)
            continue
        denying = [p for p in _in(i.snapshot.kind("NetworkPolicy"), tenant.namespace) if _is_default_deny(p)]
        if denying:
            out.append(met(control, subject, f"closed by default ({ref(denying[0])})"))
        else:
            out.append(not_met(control, subject, "no default-deny network policy: traffic is open", REPAIR))
    return out


def _service(obj: Manifest) -> str:
    return str(((obj.get("metadata") or {}).get("labels") or {}).get(L.SERVICE) or obj["metadata"]["name"])


def _logged(obj: Manifest) -> list[str]:
    spec = obj.get("spec") or {}
    return [part for part in LOGGED_PARTS if isinstance(spec.get(part), dict) and spec[part].get("logger")]


def inference_services(i: Inputs) -> list[Result]:
    """Served models match the lock, the payload logger is off, the register labels are there."""
    out: list[Result] = []
    planned = [o for o in i.plan.objects() if o["kind"] == "InferenceService"]
    blocked = i.snapshot.why_unreadable("InferenceService")
    for obj in planned:
        service, subject = _service(obj), ref(obj)
        if blocked:
            out += [
                unknown(c, subject, blocked, "grant the allmende-auditor role", service)
                for c in ("approved-by-person", "payload-logging-denied", "register-labels")
            ]
            continue
        live = i.snapshot.find(obj)
        if live is None:
            continue  # drift reports it missing
        out += [_matches_lock(i, live, service), _logger(live, service), _register_labels(i, live, service)]
    return out


def _matches_lock(i: Inputs, live: Manifest, service: str) -> Result:
    control, subject = "approved-by-person", ref(live)
    locked = i.lock.for_service(service) if i.lock else None
    if locked is None:
        return not_met(control, subject, "served, but no approved version is locked for it", "allmende models lock")
    meta = live.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    model = ((live.get("spec") or {}).get("predictor") or {}).get("model") or {}
    wrong = [
        f"{what} is {found!r}, the lock says {want!r}"
        for what, found, want in (
            ("model version", labels.get(L.MODEL_VERSION), locked.version),
            ("model name", labels.get(L.MODEL_NAME), locked.model),
            ("storage location", model.get("storageUri"), locked.storage_uri),
            ("checksum", annotations.get(L.CHECKSUM), locked.checksum),
        )
        if found != want
    ]
    if wrong:
        return not_met(control, subject, "; ".join(wrong), REPAIR, service)
    return met(control, subject, f"serves {locked.model} version {locked.version} as locked", service)


def _logger(live: Manifest, service: str) -> Result:
    control, subject = "payload-logging-denied", ref(live)
    parts = _logged(live)
    if parts:
        return not_met(control, subject, f"payload logging is on ({', '.join(parts)})", REPAIR, service)
    return met(control, subject, "payload logging is off", service)


def _register_labels(i: Inputs, live: Manifest, service: str) -> Result:
    control, subject = "register-labels", ref(live)
    meta = live.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    missing = [k for k in ISVC_LABELS if not labels.get(k)] + [k for k in ISVC_ANNOTATIONS if not annotations.get(k)]
    if missing:
        return not_met(control, subject, f"missing: {', '.join(missing)}", REPAIR, service)
    entry = labels[L.REGISTER_ID]
    if entry not in i.blueprint.accountability.register_entries:
        return not_met(control, subject, f"register id {entry!r} is not a declared register entry", REPAIR, service)
    return met(control, subject, f"labelled with register entry {entry}, its owner and its model", service)


def gpu_pools(i: Inputs) -> list[Result]:
    """Each GPU pool's nodes carry its labels (region: data-residency) and taints (gpu-limits-set)."""
    out: list[Result] = []
    blocked = i.snapshot.why_unreadable("Node")
    nodes = i.snapshot.kind("Node")
    for pool in i.blueprint.cluster.pools:
        if pool.gpu is None:
            continue
        if blocked:
            out.append(unknown("gpu-quota-per-tenant", f"pool {pool.name}", blocked, "grant the allmende-auditor role"))
            continue
        names = set(node_names(pool))
        members = [n for n in nodes if n["metadata"]["name"] in names or _labels(n).get(POOL) == pool.name]
        if not members:
            out.append(
                not_met("gpu-quota-per-tenant", f"pool {pool.name}", "no node of this pool is in the cluster", REPAIR)
            )
        for node in sorted(members, key=lambda n: str(n["metadata"]["name"])):
            out += _node(pool_labels(pool), pool_taints(pool), node)
    return out


def _labels(node: Manifest) -> dict[str, str]:
    return dict((node.get("metadata") or {}).get("labels") or {})


def _node(want_labels: dict[str, str], want_taints: list[dict[str, str]], node: Manifest) -> list[Result]:
    subject = ref(node)
    have = _labels(node)
    out: list[Result] = []
    for control, keys in (
        ("data-residency", [k for k in want_labels if k == REGION]),
        ("gpu-quota-per-tenant", [k for k in want_labels if k != REGION]),
    ):
        if not keys:
            continue
        wrong = [
            f"{k}={have.get(k, '(none)')} (declared {want_labels[k]})" for k in keys if have.get(k) != want_labels[k]
        ]
        if wrong:
            out.append(not_met(control, subject, f"pool labels changed: {', '.join(wrong)}", REPAIR))
        else:
            out.append(met(control, subject, "carries its pool's labels"))
    taints = [
        {k: str(t.get(k, "")) for k in ("key", "value", "effect")} for t in (node.get("spec") or {}).get("taints") or []
    ]
    lost = [f"{t['key']}={t['value']}:{t['effect']}" for t in want_taints if t not in taints]
    if lost:
        out.append(not_met("gpu-limits-set", subject, f"taints removed: {', '.join(lost)}", REPAIR))
    elif want_taints:
        out.append(met("gpu-limits-set", subject, "keeps its pool's taints"))
    return out


def _minor(version: str) -> int | None:
    parts = version.lstrip("v").split(".")
    try:
        return int("".join(ch for ch in parts[1] if ch.isdigit()))
    except (IndexError, ValueError):
        return None


def kubernetes_version(i: Inputs) -> list[Result]:
    control, subject = "kubernetes-supported", "stack"
    running = i.snapshot.cluster.version
    minor = _minor(running)
    newest = _minor(versions.TOOLS["kubernetes"].version)
    if minor is None or newest is None:
        return [unknown(control, subject, f"the cluster did not tell its version ({running or 'no answer'})")]
    oldest = newest - SUPPORTED_MINORS + 1
    if oldest <= minor <= newest:
        return [met(control, subject, f"runs Kubernetes {running} (supported: 1.{oldest} to 1.{newest})")]
    return [
        not_met(
            control,
            subject,
            f"runs Kubernetes {running}, outside the supported 1.{oldest} to 1.{newest}",
            f"upgrade the cluster to 1.{newest}",
        )
    ]


def _can_stop(role: Manifest) -> bool:
    return any(
        "serving.kserve.io" in (rule.get("apiGroups") or [])
        and "inferenceservices" in (rule.get("resources") or [])
        and "patch" in (rule.get("verbs") or [])
        for rule in role.get("rules") or []
    )


def human_oversight(i: Inputs) -> list[Result]:
    control = "human-oversight"
    tenants = {t.name: t for t in i.blueprint.tenants}
    out: list[Result] = []
    for svc in i.blueprint.serving.services:
        tenant = tenants.get(svc.tenant)
        if tenant is None:
            continue
        subject = f"RoleBinding {tenant.namespace}/tenant-oversight"
        blocked = i.snapshot.why_unreadable("RoleBinding") or i.snapshot.why_unreadable("Role")
        if blocked:
            out.append(unknown(control, subject, blocked, "grant the allmende-auditor role", svc.name))
            continue
        role = _named(i.snapshot.kind("Role"), "tenant-oversight", tenant.namespace)
        binding = _named(i.snapshot.kind("RoleBinding"), "tenant-oversight", tenant.namespace)
        bound = {str(s.get("name")) for s in (binding or {}).get("subjects") or []}
        missing = sorted(set(tenant.oversight) - bound)
        if role is None or binding is None or not _can_stop(role):
            out.append(not_met(control, subject, "the oversight role cannot stop the service", REPAIR, svc.name))
        elif missing:
            out.append(not_met(control, subject, f"groups {missing} can no longer stop the service", REPAIR, svc.name))
        else:
            out.append(met(control, subject, f"can stop it: {', '.join(sorted(tenant.oversight))}", svc.name))
    return out


CHECKS: tuple[Callable[[Inputs], list[Result]], ...] = (
    pod_security,
    gpu_quota,
    default_deny,
    inference_services,
    gpu_pools,
    kubernetes_version,
    human_oversight,
)


def run(i: Inputs) -> list[Result]:
    return [result for check in CHECKS for result in check(i)]
