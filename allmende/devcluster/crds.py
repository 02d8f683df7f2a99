"""Where the operators' CRDs come from: `ALLMENDE_CRDS_DIR`, else `../shared/crds` beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

ENV_CRDS_DIR = "ALLMENDE_CRDS_DIR"


def repo_root() -> Path:
    """The checkout this package lives in (the directory holding pyproject.toml)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def crds_root() -> Path:
    override = os.environ.get(ENV_CRDS_DIR, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return (repo_root().parent / "shared" / "crds").resolve()


def default_crds_dirs() -> list[Path]:
    """One directory per operator release (e.g. `kserve-v0.20.0/`), sorted; empty if the root is missing."""
    root = crds_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir())
