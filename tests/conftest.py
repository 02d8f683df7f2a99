"""Shared fixtures. Markers select the rungs of the test ladder (see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
STACKS = ("science", "health", "manufacturing")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests without a rung marker are unit tests (the folder names the rung)."""
    for item in items:
        rel = Path(str(item.fspath)).relative_to(ROOT / "tests")
        rung = rel.parts[0]
        if rung in ("component", "registry", "engine"):
            item.add_marker(getattr(pytest.mark, rung))
        elif not any(item.iter_markers(name=m) for m in ("component", "registry", "engine")):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared material is missing: expected it at {SHARED} (../shared beside the checkout)")
    return SHARED
