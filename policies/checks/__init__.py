"""The check functions, by control id: deploy-time (declarations and plan) and runtime.

Admission checks are CEL (allmende.policies.admission.rules); registry checks live with the
registry (allmende.models.checks). Every function here is pure: Context in, Findings out.
"""

from __future__ import annotations

from collections.abc import Callable

from allmende.policies.checks import cluster, declarations
from allmende.policies.checks.runtime import RUNTIME_CHECKS
from allmende.policies.context import Context, Finding

DeployCheck = Callable[[Context], list[Finding]]

DEPLOY: dict[str, DeployCheck] = {
    "complaint-route": declarations.complaint_route,
    "critical-replicas": declarations.critical_replicas,
    "data-residency": declarations.data_residency,
    "default-deny-network": cluster.default_deny_network,
    "dpia-linked": declarations.dpia_linked,
    "egress-allowlist": declarations.egress_allowlist,
    "energy-metering": cluster.energy_metering,
    "eu-database-registration": declarations.eu_database_registration,
    "external-providers-declared": declarations.external_providers_declared,
    "fria-linked": declarations.fria_linked,
    "gpu-quota-per-tenant": cluster.gpu_quota_per_tenant,
    "human-oversight": cluster.human_oversight,
    "idle-gpus-released": declarations.idle_gpus_released,
    "kubernetes-supported": cluster.kubernetes_supported,
    "log-retention": declarations.log_retention,
    "open-api-access": declarations.open_api_access,
    "owner-accountable": declarations.owner_accountable,
    "plain-language-summary": declarations.plain_language_summary,
    "pod-security-restricted": cluster.pod_security_restricted,
    "policies-versioned": cluster.policies_versioned,
    "register-entry": declarations.register_entry,
    "register-status-current": declarations.register_status_current,
    "research-exemption-justified": declarations.research_exemption_justified,
    "risk-class-declared": declarations.risk_class_declared,
}
RUNTIME = frozenset(RUNTIME_CHECKS)

__all__ = ["DEPLOY", "RUNTIME", "DeployCheck"]
