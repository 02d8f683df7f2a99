"""The merge rules of profiles and stacks: maps merge key by key, everything else replaces.

A later layer wins. Lists replace whole (a stack that lists its pools means exactly those
pools). `null` in a later layer replaces too. Each leaf remembers which layer it came from,
so `allmende explain` can show the origin of every value.
"""

from __future__ import annotations

from typing import Any

Provenance = dict[str, str]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _leaves(value: Any, path: str, source: str, out: Provenance) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _leaves(child, _join(path, str(key)), source, out)
    else:
        out[path] = source


def _drop_below(path: str, out: Provenance) -> None:
    for key in [k for k in out if k == path or k.startswith(f"{path}.")]:
        del out[key]


def merge(
    base: dict[str, Any], over: dict[str, Any], source: str, origin: Provenance, path: str = ""
) -> dict[str, Any]:
    """`over` merged onto `base` (neither is changed); `origin` is updated for what `over` sets."""
    merged = dict(base)
    for key, value in over.items():
        here = _join(path, str(key))
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value, source, origin, here)
        else:
            _drop_below(here, origin)
            merged[key] = value
            _leaves(value, here, source, origin)
    return merged


def merge_layers(layers: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any], Provenance]:
    """Merge (source, mapping) layers in order; returns the result and each leaf's source."""
    result: dict[str, Any] = {}
    origin: Provenance = {}
    for source, layer in layers:
        result = merge(result, layer, source, origin)
    return result, origin
