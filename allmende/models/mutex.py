"""One approval of a model at a time, across machines, using the registry itself as the lock.

MLflow has no compare-and-set for tags and aliases, but creating a registered model is atomic
(the name is unique in its database). Holding the lock means having created the registered
model `allmende-lock.<model>`; releasing it deletes it. A lock older than `STALE_AFTER_S` was
left by a crashed command and is broken.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from allmende.errors import AllmendeError
from allmende.models.client import Registry

PREFIX = "allmende-lock."
STALE_AFTER_S = 120.0
WAIT_S = 60.0


def lock_name(model: str) -> str:
    return f"{PREFIX}{model}"


def _try_create(registry: Registry, name: str, holder: str) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        registry.client.create_registered_model(
            name, description=f"allmende: approval in progress by {holder}; deleted when it ends"
        )
    except MlflowException as exc:
        if getattr(exc, "error_code", "") == "RESOURCE_ALREADY_EXISTS":
            return False
        raise AllmendeError(f"cannot take the approval lock {name}: {exc.message}") from None
    return True


def _break_if_stale(registry: Registry, name: str) -> None:
    from mlflow.exceptions import MlflowException

    try:
        held = registry.client.get_registered_model(name)
        age_s = time.time() - held.creation_timestamp / 1000
        if age_s > STALE_AFTER_S:
            # re-read just before deleting, so a lock taken meanwhile by someone else survives
            again = registry.client.get_registered_model(name)
            if again.creation_timestamp == held.creation_timestamp:
                registry.client.delete_registered_model(name)
    except MlflowException:
        return  # released meanwhile, or not ours to break: try again


@contextmanager
def held(registry: Registry, model: str, holder: str, wait_s: float = WAIT_S) -> Iterator[None]:
    """Run the block while holding the model's approval lock."""
    name = lock_name(model)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while not _try_create(registry, name, holder):
        if time.monotonic() > deadline:
            raise AllmendeError(
                f"another approval of {model!r} is in progress (registered model {name} exists)",
                fix=f"retry in a minute; a lock older than {STALE_AFTER_S:.0f} s is broken automatically",
            )
        _break_if_stale(registry, name)
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    try:
        yield
    finally:
        from mlflow.exceptions import MlflowException

        # MlflowException: broken as stale by another command, nothing left to release
        with suppress(MlflowException):
            registry.client.delete_registered_model(name)
