"""Where the local development cluster and state live (git-ignored, under `.allmende/`)."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    return Path(os.environ.get("ALLMENDE_PROJECT_ROOT", Path(__file__).resolve().parent.parent))


def dev_dir() -> Path:
    return project_root() / ".allmende" / "dev"


def dev_kubeconfig() -> Path:
    return dev_dir() / "kubeconfig"


def state_dir() -> Path:
    return project_root() / ".allmende" / "state"
