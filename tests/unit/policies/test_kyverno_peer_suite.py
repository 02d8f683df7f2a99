"""The Kyverno peer suite (../shared/peer-suites/kyverno-policies): every Pod marked `fail`
must be refused in a tenant namespace — by the restricted Pod Security profile or by
allmende's own admission policies. Offline here; tests/engine checks the real apiserver.
Controllers marked `fail` are checked through allmende's policies where a control covers them
(unpinned images)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from allmende.policies.admission import offline, params
from allmende.policies.checks.pod_security import pod_violations
from tests.unit.policies.fixtures import TENANT, loaded

STACKS = ("science", "health", "manufacturing")


def verdicts(suite: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(test dir, rule, result, resource) for every resource a kyverno-test.yaml judges."""
    out: list[tuple[str, str, str, dict[str, Any]]] = []
    for test_file in sorted(suite.rglob("kyverno-test.yaml")):
        test = yaml.safe_load(test_file.read_text(encoding="utf-8"))
        resources: dict[tuple[str, str], dict[str, Any]] = {}
        for name in test["resources"]:
            for doc in yaml.safe_load_all((test_file.parent / name).read_text(encoding="utf-8")):
                if doc:
                    resources[(doc["kind"], doc["metadata"]["name"])] = doc
        for result in test["results"]:
            for name in result["resources"]:
                doc = resources[(result["kind"], name)]
                out.append((test_file.parent.name, result["rule"], result["result"], doc))
    return out


@pytest.fixture(scope="module")
def suite(shared: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    root = shared / "peer-suites" / "kyverno-policies"
    found = verdicts(root)
    assert len(found) > 100, f"the peer suite at {root} looks empty"
    return found


def refused(doc: dict[str, Any], data: dict[str, str], namespace: str) -> bool:
    """Refused by the restricted profile, or else by one of allmende's admission policies."""
    obj = {**doc, "metadata": {**doc["metadata"], "namespace": namespace}}
    if doc["kind"] == "Pod" and pod_violations(obj):
        return True
    return any(not v.allowed for v in offline.evaluate_all(obj, data, TENANT))


@pytest.mark.parametrize("stack", STACKS)
def test_every_failing_pod_is_refused_in_every_tenant_namespace(suite: list[Any], stack: str) -> None:
    namespaces = [t.namespace for t in loaded(stack).blueprint.tenants]
    data = params.params_data(loaded(stack).blueprint)
    admitted = [
        f"{test}/{doc['metadata']['name']} in {ns}"
        for test, _, result, doc in suite
        if result == "fail" and doc["kind"] == "Pod"
        for ns in namespaces
        if not refused(doc, data, ns)
    ]
    assert not admitted, f"admitted although the peer suite marks them fail: {admitted}"


def test_failing_controllers_with_unpinned_images_are_refused_by_allmende(suite: list[Any]) -> None:
    unpinned = [doc for test, _, result, doc in suite if test == "disallow-latest-tag" and result == "fail"]
    assert {d["kind"] for d in unpinned} >= {"Pod", "Deployment"}
    data = params.params_data(loaded("health").blueprint)
    for doc in unpinned:
        obj = {**doc, "metadata": {**doc["metadata"], "namespace": "radiology"}}
        verdict = offline.evaluate("images-pinned", obj, data, "radiology", TENANT)
        assert verdict is not None and not verdict.allowed, doc["metadata"]["name"]


def test_passing_pinned_pods_are_not_refused_for_their_images(suite: list[Any]) -> None:
    data = params.params_data(loaded("health").blueprint)
    good = [doc for test, _, result, doc in suite if test == "disallow-latest-tag" and result == "pass"]
    for doc in good:
        obj = {**doc, "metadata": {**doc["metadata"], "namespace": "radiology"}}
        verdict = offline.evaluate("images-pinned", obj, data, "radiology", TENANT)
        assert verdict is not None and verdict.allowed, doc["metadata"]["name"]
