"""Evaluating the admission policies offline with cel-python, as the kube-apiserver would.

Used by the tests (fast), by the CrossGuard pack (on the resources a preview would create)
and by the report (on the planned objects). Matching follows the policy: the resource kind,
the binding's namespace scope, the match conditions; then the variables, then each validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import celpy
from celpy.adapter import json_to_cel
from celpy.celtypes import MapType, StringType
from celpy.evaluation import CELEvalError

from allmende.policies.admission.rules import BY_CONTROL, AdmissionRule

_ENV = celpy.Environment()


@dataclass(frozen=True)
class Verdict:
    control: str
    allowed: bool
    messages: tuple[str, ...] = ()


@cache
def _program(expression: str) -> Any:
    return _ENV.program(_ENV.compile(expression))


def _evaluate(expression: str, activation: dict[str, Any]) -> Any:
    result = _program(expression).evaluate(activation)
    if isinstance(result, CELEvalError):
        raise result
    return result


def in_scope(rule: AdmissionRule, namespace_labels: dict[str, str] | None) -> bool:
    """Does the binding's namespace selector pick this object (None: cluster-scoped object)?"""
    if rule.scope == "cluster":
        return True
    return namespace_labels is not None and namespace_labels.get("allmende.org/role") == "tenant"


def evaluate(
    control: str,
    obj: dict[str, Any],
    params_data: dict[str, str],
    namespace: str | None = None,
    namespace_labels: dict[str, str] | None = None,
) -> Verdict | None:
    """The verdict of `control`'s policy on `obj`; None when the policy does not apply to it."""
    rule = BY_CONTROL[control]
    if not rule.matches(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))):
        return None
    if not in_scope(rule, namespace_labels):
        return None
    ns = namespace or obj.get("metadata", {}).get("namespace", "")
    activation: dict[str, Any] = {
        "object": json_to_cel(obj),
        "params": json_to_cel({"data": params_data}),
        "request": json_to_cel({"namespace": ns, "operation": "CREATE"}),
    }
    activation["variables"] = _with({})
    for _, condition in rule.match_conditions:
        try:
            if not bool(_evaluate(condition, activation)):
                return None
        except CELEvalError:
            break  # an error in a match condition falls to failurePolicy Fail: evaluate (and deny)
    variables: dict[str, Any] = {}
    for name, expression in rule.variables:
        variables[name] = _evaluate(expression, activation)
        activation["variables"] = _with(variables)
    activation["variables"] = _with(variables)
    failed = tuple(f"[{control}] {v.message}" for v in rule.validations if not _truthy(v.expression, activation))
    return Verdict(control, not failed, failed)


def _with(variables: dict[str, Any]) -> Any:
    return MapType({StringType(k): v for k, v in variables.items()})


def _truthy(expression: str, activation: dict[str, Any]) -> bool:
    try:
        return bool(_evaluate(expression, activation))
    except CELEvalError:
        return False  # an error in a validation denies, as with failurePolicy Fail


def evaluate_all(
    obj: dict[str, Any],
    params_data: dict[str, str],
    namespace_labels: dict[str, str] | None,
    controls: list[str] | None = None,
) -> list[Verdict]:
    """Verdicts of every (or the named) admission policies that apply to `obj`."""
    out: list[Verdict] = []
    for control in controls if controls is not None else sorted(BY_CONTROL):
        verdict = evaluate(control, obj, params_data, namespace_labels=namespace_labels)
        if verdict is not None:
            out.append(verdict)
    return out
