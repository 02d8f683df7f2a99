from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from allmende import versions
from allmende.blueprints.loader import load
from allmende.planning import plan
from allmende.render import files, write_tree
from tests.conftest import STACKS


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("stack", STACKS)
def test_rendering_twice_gives_identical_bytes(stack: str, tmp_path: Path) -> None:
    loaded = load(stack)
    write_tree(files(plan(loaded.blueprint, stack)), tmp_path / "a")
    write_tree(files(plan(load(stack).blueprint, stack)), tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_render_replaces_the_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_tree({"old.yaml": "x: 1\n"}, target)
    write_tree({"new.yaml": "y: 2\n"}, target)
    assert sorted(p.name for p in target.iterdir()) == ["new.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_bill_of_materials_lists_every_pin(tmp_path: Path) -> None:
    bom = yaml.safe_load(files(plan(load("science").blueprint, "science"))["bom.yaml"])
    assert {(p["kind"], p["name"]) for p in bom["pins"]} == {(p.kind, p.name) for p in versions.all_pins()}
    assert all(p["version"] and p["reason"] for p in bom["pins"])
