from __future__ import annotations

from pathlib import Path

import pytest

from allmende.blueprints.explain import rows
from allmende.blueprints.init import write_stack
from allmende.blueprints.loader import load, load_file
from allmende.errors import AllmendeError
from tests.conftest import STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_validate(stack: str) -> None:
    loaded = load(stack)
    assert loaded.blueprint.sector == stack
    assert loaded.layers == ("profile base", f"profile {stack}", f"Pulumi.{stack}.yaml")


def test_profiles_carry_the_sector_differences() -> None:
    science, health, factory = (load(s).blueprint.rules for s in STACKS)
    assert (health.external_egress, health.payload_logging, health.dpia, health.residency) == (
        "none",
        "never",
        "always",
        "strict",
    )
    assert science.scale_to_zero and science.research_exemption
    assert not health.research_exemption and not health.scale_to_zero
    assert factory.external_providers == "denied" and factory.data_on_premises


def test_explain_names_the_origin_of_each_value() -> None:
    table = {path: origin for path, _, origin in rows(load("health"))}
    assert table["rules.payload_logging"] == "profile health"
    assert table["rules.research_exemption"] == "profile base"
    assert table["institution.name"] == "Pulumi.health.yaml"
    assert table["registry.database.storage_gi"] == "Pulumi.health.yaml"
    assert table["serving.gateway"] == "profile base"
    assert table["serving.tls_issuer"] == "schema default"


@pytest.mark.parametrize("sector", STACKS)
def test_init_writes_a_stack_that_validates(sector: str, tmp_path: Path) -> None:
    path = write_stack(tmp_path, sector, "mine")
    assert load_file(path).blueprint.sector == sector
    with pytest.raises(AllmendeError, match="exists already"):
        write_stack(tmp_path, sector, "mine")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("sector: science\ninstitution: [unclosed\n", encoding="utf-8")
    with pytest.raises(AllmendeError, match=r"line 3"):
        load_file(path)


def test_unknown_stack_lists_the_known_ones() -> None:
    with pytest.raises(AllmendeError) as caught:
        load("nosuchstack")
    assert "health, manufacturing, science" in caught.value.render()


def test_custom_profile_is_merged_between_sector_and_stack(tmp_path: Path) -> None:
    (tmp_path / "city.yaml").write_text(
        "sector: city\nbased_on: health\nrules: {review_period_days: 90, log_retention_days: 400}\n", encoding="utf-8"
    )
    stack = Path(__file__).parents[3] / "stacks" / "Pulumi.health.yaml"
    text = stack.read_text(encoding="utf-8").replace("    sector: health\n", "    extends: city.yaml\n")
    text = text.replace("      log_retention_days: 365\n", "")
    mine = tmp_path / "Pulumi.city.yaml"
    mine.write_text(text, encoding="utf-8")
    loaded = load_file(mine)
    assert loaded.blueprint.sector == "city"
    assert loaded.blueprint.rules.review_period_days == 90
    assert loaded.blueprint.rules.payload_logging == "never"  # from the health profile below it
    assert loaded.layers == ("profile base", "profile health", "profile city.yaml", "Pulumi.city.yaml")
