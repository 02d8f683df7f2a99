"""`models lock STACK`: resolve every service's model and alias to a pinned, checked version.

For each service: the alias's version, where KServe fetches it (`s3://` or `pvc://`, mapped
from the registry's artifact store), the sha256 of its artifacts (recomputed, and compared
with the checksum recorded at registration), and its `allmende.*` tags. A version that does
not pass every registry control of the stack's rules is refused. When a service is already
locked to another version, the new one becomes its canary (the serving module rolls it out
with the service's `canary_percent`); a canary raised to 100 % is promoted on the next lock.
The file is written whole or not at all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from pydantic import BaseModel, ConfigDict

from allmende.blueprints.loader import Loaded, load
from allmende.errors import AllmendeError, InvalidInput, Problem
from allmende.models import checks
from allmende.models import tags as t
from allmende.models.client import Registry
from allmende.models.lock import CanaryVersion, LockedModel, ModelsLock, dump_lock, lock_path, read_lock
from allmende.modules.model_registry.names import storage_uri


class Resolved(BaseModel):
    """One model version, as the lock pins it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    storage_uri: str
    checksum: str
    tags: dict[str, str]


def public_uri(uri: str) -> str:
    """The tracking URI without credentials (a lock is published)."""
    parsed = urlparse(uri)
    host = parsed.hostname or ""
    netloc = f"{host}:{parsed.port}" if parsed.port else host
    return urlunparse(parsed._replace(netloc=netloc))


def resolve(registry: Registry, loaded: Loaded, model: str, alias: str) -> Resolved:
    bp = loaded.blueprint
    aliases = registry.aliases(model)
    if alias not in aliases:
        raise AllmendeError(
            f"model {model!r} has no alias {alias!r} (aliases: {', '.join(sorted(aliases)) or 'none'})",
            fix=f"approve a version: allmende models approve {model} --version V --alias {alias} --by NAME "
            f"--stack {loaded.name}",
        )
    version = aliases[alias]
    facts = registry.facts(model, version)
    unmet = checks.unmet(checks.run(facts, bp.rules))
    if unmet:
        shown = "; ".join(f"{r.control}: {r.why}" for r in unmet)
        raise AllmendeError(f"{model} version {version} ({alias}) fails {shown}", fix="approve a version that passes")
    uri = storage_uri(registry.artifact_uri(model, version), bp.registry)
    checksum = registry.artifacts_checksum(model, version)
    recorded = facts.tags.get(t.ARTIFACTS_SHA256)
    if recorded and recorded != checksum:
        raise AllmendeError(
            f"{model} version {version}: its artifacts changed since registration ({checksum} ≠ recorded {recorded})",
            fix="find out who changed the artifact store; register and approve the model again",
        )
    return Resolved(version=version, storage_uri=uri, checksum=checksum, tags=t.ours(dict(facts.tags)))


def pin(
    service: str, model: str, alias: str, new: Resolved, old: LockedModel | None, canary_percent: int
) -> LockedModel:
    """The lock entry for a service, given what the alias resolves to now and what was locked."""
    stable = LockedModel(
        service=service,
        model=model,
        alias=alias,
        version=new.version,
        storage_uri=new.storage_uri,
        checksum=new.checksum,
        tags=new.tags,
    )
    if old is None or old.model != model or old.version == new.version:
        return stable
    canary = CanaryVersion(
        version=new.version,
        storage_uri=new.storage_uri,
        checksum=new.checksum,
        traffic_percent=canary_percent,
        tags=new.tags,
    )
    if old.canary is not None and old.canary.version == new.version:
        if old.canary.traffic_percent == 100:
            return stable  # promoted
        canary = canary.model_copy(update={"traffic_percent": old.canary.traffic_percent})
    return old.model_copy(update={"alias": alias, "canary": canary})


def build(registry: Registry, loaded: Loaded, previous: ModelsLock | None, canaries: bool = True) -> ModelsLock:
    problems: list[Problem] = []
    cache: dict[tuple[str, str], Resolved] = {}
    models: list[LockedModel] = []
    for index, service in sorted(enumerate(loaded.blueprint.serving.services), key=lambda s: s[1].name):
        ref = service.model
        try:
            if (ref.name, ref.alias) not in cache:
                cache[(ref.name, ref.alias)] = resolve(registry, loaded, ref.name, ref.alias)
        except AllmendeError as exc:
            problems.append(Problem(f"serving.services[{index}] {service.name}", exc.message, exc.fix))
            continue
        old = previous.for_service(service.name) if previous and canaries else None
        models.append(pin(service.name, ref.name, ref.alias, cache[(ref.name, ref.alias)], old, service.canary_percent))
    if problems:
        raise InvalidInput(f"lock for stack {loaded.name}", problems)
    return ModelsLock(stack=loaded.name, registry=public_uri(registry.uri), models=models)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


HEADER = (
    "# Written by `allmende models lock {stack}`: the model versions this stack serves. Review changes in a diff;\n"
    "# raise a canary's traffic_percent to 100 and lock again to promote it. The Plan reads only this file.\n"
)


def lock_stack(registry: Registry, stack: str, canaries: bool = True) -> tuple[Path, ModelsLock, bool]:
    """(path, lock, changed): resolve the stack's services and write its lock file."""
    loaded = load(stack)
    path = lock_path(loaded.source.parent, loaded.name)
    previous = read_lock(path)
    lock = build(registry, loaded, previous, canaries)
    text = HEADER.format(stack=loaded.name) + dump_lock(lock)
    changed = not path.is_file() or path.read_text(encoding="utf-8") != text
    if changed:
        write_atomically(path, text)
    return path, lock, changed
