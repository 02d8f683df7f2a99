"""Where the local development cluster and the local Pulumi state live (git-ignored `.allmende/`).

`ALLMENDE_DEV_DIR` and `ALLMENDE_STATE_DIR` move them (the engine tests use their own).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    return Path(os.environ.get("ALLMENDE_PROJECT_ROOT", Path(__file__).resolve().parent.parent))


def dev_dir() -> Path:
    return Path(os.environ.get("ALLMENDE_DEV_DIR", project_root() / ".allmende" / "dev"))


def dev_kubeconfig() -> Path:
    return dev_dir() / "kubeconfig"


def state_dir() -> Path:
    return Path(os.environ.get("ALLMENDE_STATE_DIR", project_root() / ".allmende" / "state"))
