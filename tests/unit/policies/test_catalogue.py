"""The catalogue: typed, complete, every enforcement point backed by code, parameters from Rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from allmende.blueprints.schema import Rules
from allmende.errors import InvalidInput
from allmende.policies.load import (
    CATALOGUE_DIR,
    REGISTRY_CHECKS,
    catalogue,
    load_catalogue,
    problems_of,
    read_documents,
)
from allmende.policies.schema import PRINCIPLES

GOOD = {
    "id": "example-rule",
    "version": "1.1.0",
    "principle": "privacy",
    "title": "An example rule",
    "rule": "Nothing happens without a reason.",
    "why": [{"source": "GDPR", "article": "Art. 5"}],
    "protects": "Everyone in the example.",
    "enforced_at": ["runtime"],
    "when": "Never, it is an example.",
    "changelog": [
        {"version": "1.0.0", "date": "2026-01-01", "change": "First version."},
        {"version": "1.1.0", "date": "2026-02-01", "change": "Second version."},
    ],
}


def test_the_catalogue_has_at_least_30_controls_across_all_principles() -> None:
    cat = catalogue()
    assert len(cat.controls) >= 30
    for principle in PRINCIPLES:
        assert cat.by_principle(principle), f"no control for {principle}"
    assert len(set(cat.ids())) == len(cat.ids())


def test_every_control_is_enforced_somewhere_and_reads_only_sector_rules() -> None:
    for control in catalogue().controls:
        assert control.enforced_at
        assert set(control.parameters) <= set(Rules.model_fields)


def test_registry_controls_name_the_registry_engineers_check_ids(root: Path) -> None:
    ids = {c.registry_check for c in catalogue().at("registry")}
    assert ids == set(REGISTRY_CHECKS)
    source = (root / "allmende" / "models" / "checks.py").read_text(encoding="utf-8")
    missing = sorted(i for i in REGISTRY_CHECKS if f'"{i}"' not in source)
    assert not missing, f"allmende/models/checks.py does not define the registry checks {missing}"


def test_a_control_enforced_nowhere_is_an_error() -> None:
    _, problems = problems_of({"x.yaml": {"controls": [{**GOOD, "enforced_at": []}]}})
    assert any("enforced_at" in p.path for p in problems)


def test_a_point_without_an_implementation_is_an_error() -> None:
    _, problems = problems_of({"x.yaml": {"controls": [{**GOOD, "enforced_at": ["admission"]}]}})
    assert [p.message for p in problems] == ["admission: no admission rule in allmende.policies.admission.rules"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"version": "1.0"}, "version"),
        ({"version": "2.0.0"}, "changelog"),
        ({"rule": "Two sentences. Here is another."}, "one sentence"),
        ({"parameters": ["no_such_rule"]}, "not a sector rule"),
        ({"enforced_at": ["registry"]}, "registry_check"),
        ({"surprise": 1}, "Extra inputs"),
    ],
)
def test_bad_controls_are_refused_with_a_message(change: dict[str, object], fragment: str) -> None:
    _, problems = problems_of({"x.yaml": {"controls": [{**GOOD, **change}]}})
    assert any(fragment in p.render() for p in problems), [p.render() for p in problems]


def test_the_example_control_itself_is_fine_except_its_missing_runtime_check() -> None:
    controls, problems = problems_of({"x.yaml": {"controls": [GOOD]}})
    assert [c.id for c in controls] == ["example-rule"]
    assert [p.message for p in problems] == ["runtime: no runtime check in allmende.policies.checks"]


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    ok = {**GOOD, "id": "log-retention", "enforced_at": ["deploy"]}
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump({"controls": [ok]}), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_catalogue(tmp_path)
    assert "duplicate id" in info.value.render()


def test_catalogue_files_are_one_per_principle() -> None:
    documents = read_documents(CATALOGUE_DIR)
    assert sorted(documents) == sorted(f"{p}.yaml" for p in PRINCIPLES)
    for name, document in documents.items():
        assert {c["principle"] for c in document["controls"]} == {name.removesuffix(".yaml")}


def test_sector_specific_controls_read_a_rule_or_say_why_not() -> None:
    for control in catalogue().controls:
        if control.sector_specific:
            assert control.parameters or control.id == "cis-baseline", control.id
