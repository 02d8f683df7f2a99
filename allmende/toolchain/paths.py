"""Where the toolchain lives: `~/.cache/allmende/tools/<short hash of the tool pins>/`.

`ALLMENDE_TOOLS_DIR` replaces that whole directory (it then holds `bin/` and `work/` itself).
The hash covers every tool pin and allmende's own Go sources, so changing a pin builds afresh
beside the old tools instead of mixing versions.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from allmende.versions import TOOLS

ENV_TOOLS_DIR = "ALLMENDE_TOOLS_DIR"

# Bumped when the recipes change in a way that needs a rebuild although no pin moved.
RECIPE_FORMAT = 1

GO_SOURCES = Path(__file__).parent / "gosrc"


def pins_hash() -> str:
    """A short, stable hash of the tool pins, the recipe format and allmende's own Go sources."""
    digest = hashlib.sha256()
    pins = [pin.model_dump() for pin in sorted(TOOLS.values(), key=lambda p: p.name)]
    digest.update(json.dumps({"format": RECIPE_FORMAT, "pins": pins}, sort_keys=True).encode())
    for source in sorted(GO_SOURCES.rglob("*.go")):
        digest.update(source.relative_to(GO_SOURCES).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def tools_dir() -> Path:
    """The directory of this set of pins: `bin/`, `work/`, the build lock and the manifest."""
    override = os.environ.get(ENV_TOOLS_DIR, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return Path.home() / ".cache" / "allmende" / "tools" / pins_hash()


def bin_dir() -> Path:
    """Where the built executables are installed."""
    return tools_dir() / "bin"


def work_dir() -> Path:
    """Where the wrapper Go modules are generated (one sub-directory per tool)."""
    return tools_dir() / "work"


def stamp_path(tool: str) -> Path:
    """The record of one finished tool build (version, seconds, bytes)."""
    return tools_dir() / "stamps" / f"{tool}.json"


def lock_path() -> Path:
    """The file lock that keeps two builds of the same pins apart."""
    return tools_dir() / "build.lock"
