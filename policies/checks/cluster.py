"""Deploy-time checks over the planned cluster objects and the platform itself."""

from __future__ import annotations

from datetime import date

from allmende import versions
from allmende.modules.types import Manifest
from allmende.policies.checks.pod_security import WORKLOAD_KINDS, pod_spec_of, restricted_violations
from allmende.policies.context import Context, Finding, failed, passed
from allmende.policies.schema import semver_key

GPU_QUOTA = "requests.nvidia.com/gpu"
SUPPORTED_MINORS = 3


def _find(ctx: Context, kind: str, namespace: str, name: str | None = None) -> list[Manifest]:
    return [
        o
        for o in ctx.plan.objects()
        if o["kind"] == kind
        and o["metadata"].get("namespace") == namespace
        and (name is None or o["metadata"]["name"] == name)
    ]


def gpu_quota_per_tenant(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for tenant in ctx.blueprint.tenants:
        quotas = [q for q in _find(ctx, "ResourceQuota", tenant.namespace) if GPU_QUOTA in q["spec"].get("hard", {})]
        if quotas:
            hard = quotas[0]["spec"]["hard"][GPU_QUOTA]
            out.append(passed("gpu-quota-per-tenant", f"{tenant.name}: at most {hard} GPUs"))
        else:
            out.append(
                failed(
                    "gpu-quota-per-tenant",
                    f"{tenant.name}: no GPU quota in namespace {tenant.namespace}",
                    "plan the tenancy module (it sets the quota from tenants[].gpu.nominal)",
                    path=f"tenants.{tenant.name}",
                )
            )
    return out


def _can_stop(role: Manifest) -> bool:
    return any(
        "serving.kserve.io" in rule.get("apiGroups", [])
        and "inferenceservices" in rule.get("resources", [])
        and "patch" in rule.get("verbs", [])
        for rule in role.get("rules", [])
    )


def human_oversight(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    out: list[Finding] = []
    for svc in bp.serving.services:
        entry = bp.accountability.register_entries.get(svc.name)
        tenant = next((t for t in bp.tenants if t.name == svc.tenant), None)
        if entry is None or tenant is None:
            out.append(failed("human-oversight", "no register entry or tenant", "declare both", svc.name))
            continue
        at = f"accountability.register.{svc.name}.oversight"
        if not entry.oversight.can_stop:
            out.append(
                failed("human-oversight", "the oversight role cannot stop it", "set can_stop: true", svc.name, at)
            )
            continue
        bound: set[str] = set()
        for binding in _find(ctx, "RoleBinding", tenant.namespace):
            roles = _find(ctx, "Role", tenant.namespace, binding["roleRef"]["name"])
            if roles and _can_stop(roles[0]):
                bound |= {s["name"] for s in binding.get("subjects", [])}
        missing = sorted(set(tenant.oversight) - bound)
        if missing:
            out.append(
                failed(
                    "human-oversight",
                    f"groups {missing} have no permission to stop the service",
                    "plan the tenancy module's oversight role",
                    svc.name,
                    f"tenants.{tenant.name}.oversight",
                )
            )
        else:
            groups = ", ".join(sorted(tenant.oversight))
            out.append(passed("human-oversight", f"{entry.oversight.role}; can stop it: {groups}", svc.name))
    return out


def _is_default_deny(policy: Manifest) -> bool:
    spec = policy.get("spec", {})
    return (
        spec.get("podSelector") == {}
        and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def default_deny_network(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for tenant in ctx.blueprint.tenants:
        if any(_is_default_deny(p) for p in _find(ctx, "NetworkPolicy", tenant.namespace)):
            out.append(passed("default-deny-network", f"{tenant.namespace}: closed by default"))
        else:
            out.append(
                failed(
                    "default-deny-network",
                    f"{tenant.namespace}: no default-deny network policy",
                    "plan the tenancy module",
                    path=f"tenants.{tenant.name}",
                )
            )
    return out


def pod_security_restricted(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    namespaces = {t.namespace for t in ctx.blueprint.tenants}
    for ns in sorted(namespaces):
        objs = [o for o in ctx.plan.objects() if o["kind"] == "Namespace" and o["metadata"]["name"] == ns]
        labels = objs[0]["metadata"].get("labels", {}) if objs else {}
        if labels.get("pod-security.kubernetes.io/enforce") == "restricted":
            out.append(passed("pod-security-restricted", f"{ns}: enforces the restricted profile"))
        else:
            out.append(
                failed(
                    "pod-security-restricted",
                    f"{ns}: does not enforce the restricted profile",
                    "label the namespace pod-security.kubernetes.io/enforce=restricted",
                    path=f"namespace {ns}",
                )
            )
    for obj in ctx.plan.objects():
        if obj["kind"] in WORKLOAD_KINDS and obj["metadata"].get("namespace") in namespaces:
            spec = pod_spec_of(obj)
            problems = restricted_violations(spec) if spec is not None else []
            if problems:
                name = f"{obj['kind']} {obj['metadata']['namespace']}/{obj['metadata']['name']}"
                out.append(
                    failed("pod-security-restricted", f"{name}: {'; '.join(problems)}", "lock the workload down")
                )
    return out


def energy_metering(ctx: Context) -> list[Finding]:
    bp = ctx.blueprint
    if not any(p.gpu for p in bp.cluster.pools):
        return [passed("energy-metering", "no GPUs to meter")]
    if bp.operators.gpu_operator == "preinstalled":
        return [passed("energy-metering", "the preinstalled GPU operator provides the DCGM exporter")]
    charts = [c for c in ctx.plan.charts() if "gpu-operator" in c.name]
    if charts and charts[0].values.get("dcgmExporter", {}).get("enabled", True) is not False:
        return [passed("energy-metering", "the DCGM exporter is enabled")]
    return [
        failed(
            "energy-metering",
            "no GPU energy measurement is planned",
            "enable dcgmExporter in the GPU operator",
            path="operators.gpu_operator",
        )
    ]


def _minor(version: str) -> int:
    return int(version.lstrip("v").split(".")[1])


def kubernetes_supported(ctx: Context) -> list[Finding]:
    newest = _minor(versions.TOOLS["kubernetes"].version)
    declared = _minor(ctx.blueprint.cluster.kubernetes_version)
    oldest = newest - SUPPORTED_MINORS + 1
    if oldest <= declared <= newest:
        return [passed("kubernetes-supported", f"Kubernetes 1.{declared} is supported (1.{oldest} to 1.{newest})")]
    return [
        failed(
            "kubernetes-supported",
            f"Kubernetes 1.{declared} is outside the supported 1.{oldest} to 1.{newest}",
            f"upgrade the cluster and set cluster.kubernetes_version to 1.{newest}",
            path="cluster.kubernetes_version",
        )
    ]


def policies_versioned(ctx: Context) -> list[Finding]:
    problems: list[str] = []
    for control in ctx.catalogue.controls:
        versions_seen = [c.version for c in control.changelog]
        if len(set(versions_seen)) != len(versions_seen):
            problems.append(f"{control.id}: a version appears twice in its changelog")
        future = [c.version for c in control.changelog if date.fromisoformat(c.date) > ctx.today]
        if future:
            problems.append(f"{control.id}: changes dated in the future ({', '.join(future)})")
        ordered = sorted(control.changelog, key=lambda c: semver_key(c.version))
        if [c.date for c in ordered] != sorted(c.date for c in ordered):
            problems.append(f"{control.id}: newer versions carry older dates")
    if problems:
        return [failed("policies-versioned", "; ".join(problems), "correct the catalogue's changelogs")]
    version = ctx.blueprint.accountability.policy_version
    return [passed("policies-versioned", f"{len(ctx.catalogue.controls)} versioned controls; stack policy {version}")]
