"""The examples double as tests: each validates and renders deterministically."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from allmende.blueprints.loader import load
from allmende.planning import plan
from allmende.render import files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/blueprint.yaml"))


def test_there_are_examples_beyond_the_stacks() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_validates_and_renders(path: Path) -> None:
    loaded = load(str(path))
    assert loaded.name == path.parent.name
    rendered = files(plan(loaded.blueprint, loaded.name))
    assert rendered == files(plan(load(str(path)).blueprint, loaded.name))
    namespaces = {
        yaml.safe_load(text)["metadata"]["name"] for rel, text in rendered.items() if "/_cluster/namespace-" in rel
    }
    assert namespaces >= {t.namespace for t in loaded.blueprint.tenants}


def test_city_profile_builds_on_health() -> None:
    loaded = load(str(ROOT / "examples" / "city-administration" / "blueprint.yaml"))
    assert loaded.layers[:3] == ("profile base", "profile health", "profile profile.yaml")
    assert loaded.blueprint.sector == "public-administration"
    assert loaded.blueprint.rules.payload_logging == "never"
    assert loaded.blueprint.rules.review_period_days == 180


def test_argo_application_points_at_the_rendered_folder() -> None:
    app = yaml.safe_load((ROOT / "examples" / "gitops-argocd" / "application.yaml").read_text(encoding="utf-8"))
    assert app["spec"]["source"]["path"] == "rendered"
