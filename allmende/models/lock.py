"""The models lock: which registry version each service serves, pinned and readable in a diff.

`allmende models lock STACK` writes `stacks/<stack>.models.lock.yaml`; the Plan reads only
this file (never the registry), so a preview shows exactly what an `up` will serve.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from allmende.errors import InvalidInput, Problem

STORAGE_SCHEMES = ("s3://", "pvc://", "gs://", "https://", "oci://")


class CanaryVersion(BaseModel):
    """A new version rolled out beside the stable one, with a share of the traffic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^\d+$")
    storage_uri: str
    checksum: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    traffic_percent: int = Field(ge=0, le=100, description="raise to 100 to promote it on the next `pulumi up`")
    tags: dict[str, str] = {}

    @field_validator("storage_uri")
    @classmethod
    def _fetchable(cls, uri: str) -> str:
        return fetchable(uri)


def fetchable(uri: str) -> str:
    if not uri.startswith(STORAGE_SCHEMES):
        raise ValueError(f"storage_uri {uri!r} is not a location KServe can fetch (s3://, pvc://, …)")
    return uri


class LockedModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str
    model: str = Field(description="registered model name")
    alias: str
    version: str = Field(pattern=r"^\d+$")
    storage_uri: str = Field(description="where KServe fetches the artefacts: s3:// or pvc://, never models:/")
    checksum: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    tags: dict[str, str] = Field(default={}, description="the version's allmende.* tags at lock time")
    canary: CanaryVersion | None = None

    @field_validator("storage_uri")
    @classmethod
    def _fetchable(cls, uri: str) -> str:
        return fetchable(uri)


class ModelsLock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stack: str
    registry: str = Field(description="tracking URI the lock was resolved against")
    models: list[LockedModel] = []

    def for_service(self, service: str) -> LockedModel | None:
        return next((m for m in self.models if m.service == service), None)


def lock_path(stacks: Path, stack: str) -> Path:
    return stacks / f"{stack}.models.lock.yaml"


def read_lock(path: Path) -> ModelsLock | None:
    """The lock at `path`, or None when the stack has none yet."""
    if not path.is_file():
        return None
    try:
        return ModelsLock.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise InvalidInput(
            str(path), [Problem("models", str(exc).splitlines()[0], "re-run `allmende models lock`")]
        ) from None


def dump_lock(lock: ModelsLock) -> str:
    data = lock.model_dump(mode="json", exclude_none=True)
    data["models"] = sorted(data["models"], key=lambda m: m["service"])
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100)
