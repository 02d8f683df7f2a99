"""ValidatingAdmissionPolicies and their bindings, generated from the catalogue and the rules."""

from __future__ import annotations

from typing import Any

from allmende.blueprints.schema import Blueprint
from allmende.modules.labels import DOMAIN, meta
from allmende.modules.types import Manifest
from allmende.policies.actions import action_for, admission_actions
from allmende.policies.admission import params
from allmende.policies.admission.rules import BY_CONTROL, AdmissionRule
from allmende.policies.schema import Catalogue, Control

COMPONENT = "accountability"
API = "admissionregistration.k8s.io/v1"
TENANT_SELECTOR = {"matchExpressions": [{"key": f"{DOMAIN}/role", "operator": "In", "values": ["tenant"]}]}


def policy_name(control: str) -> str:
    return f"allmende-{control}"


def _resource_rules(rule: AdmissionRule) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rule.resources:
        groups.setdefault((r.group, r.version), []).append(r.plural)
    return [
        {
            "apiGroups": [group],
            "apiVersions": [version],
            "operations": ["CREATE", "UPDATE"],
            "resources": sorted(plurals),
        }
        for (group, version), plurals in sorted(groups.items())
    ]


def policy(control: Control, rule: AdmissionRule, stack: str) -> Manifest:
    annotations = {f"{DOMAIN}/control-version": control.version, f"{DOMAIN}/rule": control.rule}
    spec: dict[str, Any] = {
        "failurePolicy": "Fail",
        "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
        "matchConstraints": {"resourceRules": _resource_rules(rule)},
        "validations": [
            {"expression": v.expression, "message": f"[{control.id}] {v.message}", "reason": "Forbidden"}
            for v in rule.validations
        ],
    }
    if rule.match_conditions:
        spec["matchConditions"] = [{"name": n, "expression": e} for n, e in rule.match_conditions]
    if rule.variables:
        spec["variables"] = [{"name": n, "expression": e} for n, e in rule.variables]
    metadata = meta(policy_name(control.id), COMPONENT, stack, control=control.id)
    metadata["annotations"] = annotations
    return {"apiVersion": API, "kind": "ValidatingAdmissionPolicy", "metadata": metadata, "spec": spec}


def binding(control: Control, rule: AdmissionRule, bp: Blueprint, stack: str) -> Manifest:
    match: dict[str, Any] = {"namespaceSelector": TENANT_SELECTOR} if rule.scope == "tenant" else {}
    spec: dict[str, Any] = {
        "policyName": policy_name(control.id),
        "paramRef": {"name": params.NAME, "namespace": params.NAMESPACE, "parameterNotFoundAction": "Deny"},
        "validationActions": admission_actions(action_for(control, bp.rules)),
    }
    if match:
        spec["matchResources"] = match
    return {
        "apiVersion": API,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": meta(policy_name(control.id), COMPONENT, stack, control=control.id),
        "spec": spec,
    }


def params_config_map(bp: Blueprint, stack: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(params.NAME, COMPONENT, stack, params.NAMESPACE),
        "data": params.params_data(bp),
    }


def admission_objects(catalogue: Catalogue, bp: Blueprint, stack: str) -> list[Manifest]:
    """Policy + binding for every control enforced at admission through CEL, and the params."""
    out: list[Manifest] = [params_config_map(bp, stack)]
    for control in catalogue.at("admission"):
        rule = BY_CONTROL.get(control.id)
        if rule is not None:
            out += [policy(control, rule, stack), binding(control, rule, bp, stack)]
    return out
