"""What the tools cache holds: which tools are built, at which versions, and where."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from allmende.errors import AllmendeError
from allmende.toolchain.paths import bin_dir, stamp_path, tools_dir
from allmende.toolchain.recipes import recipes


class ToolRecord(BaseModel):
    """The stamp one finished tool build leaves: what was built, how long it took, how big it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str
    version: str
    outputs: tuple[str, ...]
    seconds: float
    bytes: int


class ToolStatus(BaseModel):
    """One tool as `allmende tools status` shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str
    version: str
    built: bool
    missing: tuple[str, ...]
    build_seconds: float | None
    bytes: int | None


def read_stamp(tool: str) -> ToolRecord | None:
    """The stamp of a finished build, or None (absent or unreadable: then the tool is rebuilt)."""
    path = stamp_path(tool)
    if not path.is_file():
        return None
    try:
        return ToolRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError:
        return None


def tools_status() -> list[ToolStatus]:
    """Every tool of the pinned set, built or not."""
    result = []
    for recipe in recipes():
        stamp = read_stamp(recipe.tool)
        missing = tuple(name for name in recipe.outputs if not (tools_dir() / name).is_file())
        result.append(
            ToolStatus(
                tool=recipe.tool,
                version=recipe.version,
                built=stamp is not None and not missing,
                missing=missing,
                build_seconds=stamp.seconds if stamp else None,
                bytes=stamp.bytes if stamp else None,
            )
        )
    return result


def tool_path(name: str) -> Path:
    """The installed executable `name` (e.g. `kube-apiserver`), or an error that says how to get it."""
    path = bin_dir() / name
    if not path.is_file():
        raise AllmendeError(
            f"the tool `{name}` is not built",
            path=str(path),
            fix="run `allmende tools build` (builds the pinned tools from Go modules; the first build takes a while)",
        )
    return path


def require_tools(names: tuple[str, ...]) -> dict[str, Path]:
    """All of the named executables, or one error listing every missing one."""
    missing = [name for name in names if not (bin_dir() / name).is_file()]
    if missing:
        raise AllmendeError(
            f"tools not built: {', '.join(missing)}",
            path=str(bin_dir()),
            fix="run `allmende tools build` (builds the pinned tools from Go modules; the first build takes a while)",
        )
    return {name: bin_dir() / name for name in names}
