"""The read-only `allmende-auditor` role the accountability module plans covers every list the audit makes."""

from __future__ import annotations

import pytest

from allmende.audit.live import types_of
from allmende.blueprints.loader import load
from allmende.modules.accountability.plan import AUDITOR_RULES
from allmende.planning import plan_loaded


@pytest.mark.parametrize("stack", ["science", "health", "manufacturing"])
def test_the_auditor_role_can_list_everything_the_audit_reads(stack: str) -> None:
    granted = {
        (group, resource)
        for rule in AUDITOR_RULES
        if "list" in rule["verbs"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    read = {
        ("" if "/" not in api_version else api_version.split("/")[0], plural)
        for api_version, _, plural, _ in types_of(plan_loaded(load(stack)).objects())
    }
    assert sorted(read - granted) == []
    assert not any(resource == "secrets" for _, resource in granted)  # values stay out of reach
