"""Every pin lives in versions.py; pyproject.toml must carry the same Python pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from allmende import versions

ROOT = Path(__file__).resolve().parents[3]


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [*project["dependencies"], *extras]


def test_pyproject_python_pins_equal_versions_py() -> None:
    pattern = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$")  # name, optional [extras], version
    exact = dict(pattern.match(r).groups() for r in _requirements() if "==" in r)  # type: ignore[union-attr]
    for pin in versions.PYTHON.values():
        assert exact.get(pin.source) == pin.version, f"pyproject pins {pin.source} to {exact.get(pin.source)}"


def test_no_image_or_chart_is_unpinned() -> None:
    for pin in versions.all_pins():
        assert pin.version not in ("", "latest") and pin.reason


def test_image_refs_are_pinned() -> None:
    for name in versions.IMAGES:
        assert not versions.image_ref(name).endswith(":latest")
