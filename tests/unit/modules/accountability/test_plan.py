"""The accountability module's plan: admission policies from the catalogue, bindings with the
sector's actions, params from the sector rules, egress only to declared providers, the auditor."""

from __future__ import annotations

from typing import Any

import pytest

from allmende.blueprints.schema import Provider
from allmende.modules.accountability import plan as accountability
from allmende.policies.admission.rules import BY_CONTROL
from allmende.policies.load import catalogue
from tests.unit.policies.fixtures import loaded, patch

STACKS = ("science", "health", "manufacturing")


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.mark.parametrize("stack", STACKS)
def test_one_policy_and_binding_per_admission_control(stack: str) -> None:
    objects = accountability.plan(loaded(stack).blueprint).objects
    policies = by_kind(objects, "ValidatingAdmissionPolicy")
    bindings = by_kind(objects, "ValidatingAdmissionPolicyBinding")
    expected = {f"allmende-{c.id}" for c in catalogue().at("admission") if c.id in BY_CONTROL}
    assert set(policies) == expected == set(bindings)
    for name, binding in bindings.items():
        spec = binding["spec"]
        assert spec["policyName"] == name
        assert spec["paramRef"] == {
            "name": "allmende-policy-params",
            "namespace": "allmende-accountability",
            "parameterNotFoundAction": "Deny",
        }
    for policy in policies.values():
        assert policy["apiVersion"] == "admissionregistration.k8s.io/v1"
        assert policy["spec"]["failurePolicy"] == "Fail"
        assert all(v["message"].startswith("[") for v in policy["spec"]["validations"])


def test_actions_follow_the_catalogue_and_the_sector() -> None:
    health = by_kind(accountability.plan(loaded("health").blueprint).objects, "ValidatingAdmissionPolicyBinding")
    science = by_kind(accountability.plan(loaded("science").blueprint).objects, "ValidatingAdmissionPolicyBinding")
    assert health["allmende-data-residency"]["spec"]["validationActions"] == ["Deny"]
    assert science["allmende-data-residency"]["spec"]["validationActions"] == ["Warn", "Audit"]
    assert health["allmende-payload-logging-denied"]["spec"]["validationActions"] == ["Deny"]
    assert health["allmende-tls-ingress"]["spec"]["validationActions"] == ["Warn", "Audit"]
    assert "matchResources" not in health["allmende-pod-security-restricted"]["spec"]
    assert health["allmende-images-pinned"]["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"] == [
        {"key": "allmende.org/role", "operator": "In", "values": ["tenant"]}
    ]


def test_params_carry_the_sector_rules() -> None:
    bp = loaded("health").blueprint
    data = by_kind(accountability.plan(bp).objects, "ConfigMap")["allmende-policy-params"]["data"]
    assert data["payload-logging"] == "never"
    assert {k for k in data if k.startswith("licence.")} == {f"licence.{x}" for x in bp.rules.allowed_licences}
    assert data["region.de-north"] == "allowed"
    assert data["register.report-drafting"] == "radiology"


def test_egress_is_opened_only_to_declared_provider_ranges() -> None:
    bp = loaded("science").blueprint
    assert by_kind(accountability.plan(bp).objects, "NetworkPolicy") == {}
    provider = Provider(
        name="cloud-llm",
        hosts=["203.0.113.0/24", "198.51.100.7", "api.example.org"],
        contract="https://example.org/c",
        services=["campus-chat"],
    )
    policies = by_kind(accountability.plan(patch(bp, "accountability.providers", [provider])).objects, "NetworkPolicy")
    policy = policies["egress-cloud-llm-campus-chat"]
    assert policy["metadata"]["namespace"] == "humanities"
    assert policy["spec"]["podSelector"] == {"matchLabels": {"allmende.org/service": "campus-chat"}}
    assert policy["spec"]["egress"] == [
        {
            "to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}, {"ipBlock": {"cidr": "198.51.100.7/32"}}],
            "ports": [{"port": 443, "protocol": "TCP"}],
        }
    ]
    health = patch(
        loaded("health").blueprint,
        "accountability.providers",
        [provider.model_copy(update={"services": ["sepsis-risk"]})],
    )
    assert by_kind(accountability.plan(health).objects, "NetworkPolicy") == {}


def test_the_auditor_role_only_reads() -> None:
    role = by_kind(accountability.plan(loaded("health").blueprint).objects, "ClusterRole")["allmende-auditor"]
    verbs = {v for rule in role["rules"] for v in rule["verbs"]}
    assert verbs == {"get", "list", "watch"}
    assert not any("secrets" in rule["resources"] for rule in role["rules"])


def test_the_params_namespace_is_locked_down() -> None:
    ns = by_kind(accountability.plan(loaded("health").blueprint).objects, "Namespace")["allmende-accountability"]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("stack", STACKS)
def test_the_plan_is_deterministic(stack: str) -> None:
    bp = loaded(stack).blueprint
    assert accountability.plan(bp) == accountability.plan(bp)
