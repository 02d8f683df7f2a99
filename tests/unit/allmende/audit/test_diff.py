"""The comparison looks only at the fields allmende sets; server-filled fields never count."""

from __future__ import annotations

from typing import Any

from allmende.audit.diff import changes, differences, quantity

POLICY: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "default-deny", "namespace": "physics", "labels": {"app.kubernetes.io/part-of": "allmende"}},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}


def live(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "default-deny",
            "namespace": "physics",
            "labels": {"app.kubernetes.io/part-of": "allmende", "added-by-someone": "x"},
            "annotations": {"pulumi.com/autonamed": "false"},
            "uid": "0b7f",
            "resourceVersion": "4711",
            "generation": 3,
            "creationTimestamp": "2027-01-10T10:00:00Z",
            "managedFields": [{"manager": "pulumi-kubernetes", "operation": "Apply"}],
        },
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], **spec},
        "status": {},
    }


def test_server_filled_fields_and_extra_labels_are_not_drift() -> None:
    assert changes(POLICY, live()) == []


def test_a_planned_empty_selector_must_stay_empty() -> None:
    found = changes(POLICY, live(podSelector={"matchLabels": {"app": "one"}}))
    assert found == ["spec.podSelector: declared empty, found {'matchLabels': {'app': 'one'}}"]


def test_a_removed_list_entry_is_a_change() -> None:
    assert changes(POLICY, live(policyTypes=["Ingress"])) == ["spec.policyTypes: declared 2 entries, found 1"]


def test_a_changed_or_removed_label_is_a_change() -> None:
    theirs = live()
    theirs["metadata"]["labels"]["app.kubernetes.io/part-of"] = "someone-else"
    assert changes(POLICY, theirs) == [
        "metadata.labels.app.kubernetes.io/part-of: declared 'allmende', found 'someone-else'"
    ]
    del theirs["metadata"]["labels"]["app.kubernetes.io/part-of"]
    assert changes(POLICY, theirs) == ["metadata.labels.app.kubernetes.io/part-of: declared 'allmende', missing"]


def test_defaulted_fields_inside_the_spec_are_ignored() -> None:
    planned = {"spec": {"matchConstraints": {"resourceRules": [{"operations": ["CREATE"]}]}}}
    served = {
        "spec": {
            "matchConstraints": {
                "matchPolicy": "Equivalent",
                "namespaceSelector": {},
                "resourceRules": [{"operations": ["CREATE"], "scope": "*"}],
            }
        }
    }
    assert differences(planned, served) == []


def test_quantities_compare_by_value() -> None:
    assert (
        differences({"hard": {"cpu": "1", "memory": "84Gi"}}, {"hard": {"cpu": "1000m", "memory": "90194313216"}}) == []
    )
    assert differences({"hard": {"requests.nvidia.com/gpu": "2"}}, {"hard": {"requests.nvidia.com/gpu": "8"}}) == [
        "hard.requests.nvidia.com/gpu: declared '2', found '8'"
    ]
    assert differences({"port": 443}, {"port": "443"}) == []


def test_quantity_parses_only_quantities() -> None:
    assert quantity("84Gi") == 84 * 2**30
    assert quantity("500m") == quantity("0.5")
    assert quantity("1e3") == 1000
    assert quantity("Infinity") is None
    assert quantity("Apache-2.0") is None
    assert differences({"licence": "MIT"}, {"licence": "mit"}) == ["licence: declared 'MIT', found 'mit'"]


def test_booleans_are_not_numbers() -> None:
    assert differences({"enabled": True}, {"enabled": 1}) == ["enabled: declared True, found 1"]
