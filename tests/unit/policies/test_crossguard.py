"""The CrossGuard policies through their validate functions (never through PolicyPack, which
starts a gRPC server): green for the shipped stacks, red with the right messages when broken."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyResource, PolicyResourceOptions, StackValidationArgs

from allmende.blueprints.loader import Loaded
from allmende.planning import plan_loaded
from allmende.policies.crossguard import manifest_of, policies
from allmende.policies.load import catalogue
from allmende.policies.pack_config import pack_config
from tests.unit.policies.fixtures import TODAY, isvc, loaded, patch, pod

STACKS = ("science", "health", "manufacturing")


def _type(obj: dict[str, Any]) -> str:
    group, _, version = obj["apiVersion"].rpartition("/")
    return f"kubernetes:{group or 'core'}/{version}:{obj['kind']}"


def resource(obj: dict[str, Any], i: int) -> PolicyResource:
    opts = PolicyResourceOptions(False, [], None, [], None, [], None)  # type: ignore[arg-type]
    return PolicyResource(
        _type(obj), obj, f"urn:pulumi:test::allmende::{obj['kind']}::r{i}", f"r{i}", opts, None, None, [], {}
    )


def run(stack: str, objects: list[dict[str, Any]], source: Loaded | None = None) -> dict[str, list[str]]:
    """{policy: violation messages} for a stack previewing `objects`."""
    src = source or loaded(stack)
    args = StackValidationArgs([resource(o, i) for i, o in enumerate(objects)], config={"stack": stack})
    out: dict[str, list[str]] = {}
    for policy in policies(loader=lambda _: src, today=TODAY):
        messages: list[str] = []

        def report(message: str, urn: str | None = None, into: list[str] = messages) -> None:
            into.append(message)

        policy.validate(args, report)
        if messages:
            out[policy.name] = messages
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_the_shipped_stacks_pass_the_pack(stack: str) -> None:
    objects = plan_loaded(loaded(stack), TODAY).objects()
    assert run(stack, objects) == {}


def test_a_broken_stack_is_refused_with_the_controls_messages() -> None:
    base = loaded("health")
    bp = patch(base.blueprint, "accountability.register_entries.sepsis-risk.dpia", None)
    bp = patch(bp, "rules.log_retention_days", 30)
    broken = Loaded(base.name, base.source, bp, base.origin, base.layers)
    logger = isvc(logger={"mode": "all", "url": "http://sink"})
    latest = pod({"name": "a", "image": "nginx:latest"})
    found = run("health", [logger, latest], broken)
    assert any("sepsis-risk: no DPIA is linked" in m for m in found["dpia-linked"])
    assert any("kept 30 days" in m for m in found["log-retention"])
    assert any("payload logging" in m for m in found["payload-logging-denied"])
    assert any("fixed version" in m for m in found["images-pinned"])
    assert any("runAsNonRoot" in m for m in found["pod-security-restricted"])


def test_the_pack_has_one_policy_per_deploy_or_admission_control() -> None:
    names = [p.name for p in policies(loader=loaded, today=TODAY)]
    expected = [c.id for c in catalogue().controls if {"deploy", "admission"} & set(c.enforced_at)]
    assert names == expected


def test_manifest_of_reads_pulumi_types() -> None:
    assert manifest_of("kubernetes:core/v1:Pod", {"metadata": {"name": "p"}})["apiVersion"] == "v1"  # type: ignore[index]
    got = manifest_of("kubernetes:serving.kserve.io/v1beta1:InferenceService", {})
    assert got is not None and got["apiVersion"] == "serving.kserve.io/v1beta1"
    assert manifest_of("random:index/randomPassword:RandomPassword", {}) is None
    assert manifest_of("allmende:index:Tenancy", {}) is None


def test_pack_config_follows_the_sector() -> None:
    health = pack_config("health", loaded("health").blueprint, catalogue())
    science = pack_config("science", loaded("science").blueprint, catalogue())
    assert health["data-residency"] == {"enforcementLevel": "mandatory", "stack": "health"}
    assert science["data-residency"]["enforcementLevel"] == "advisory"
    assert health["plain-language-summary"]["enforcementLevel"] == "advisory"
    assert "model-card" not in health  # registry only
