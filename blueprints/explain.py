"""Where each value of a merged Blueprint came from: a profile, the stack, or a schema default."""

from __future__ import annotations

from typing import Any

from allmende.blueprints.loader import Loaded
from allmende.blueprints.merge import Provenance

DEFAULT = "schema default"


def _leaves(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        out: list[tuple[str, Any]] = []
        for key, child in value.items():
            out += _leaves(child, f"{path}.{key}" if path else str(key))
        return out
    return [(path, value)]


def _origin_of(path: str, origin: Provenance) -> str:
    """The source of `path`, or of the nearest declared ancestor (a list is declared whole)."""
    probe = path
    while probe:
        if probe in origin:
            return origin[probe]
        probe = probe.rpartition(".")[0]
    return DEFAULT


def rows(loaded: Loaded) -> list[tuple[str, str, str]]:
    """(dotted path, value as text, origin) for every leaf of the merged Blueprint."""
    data = loaded.blueprint.model_dump(mode="json", by_alias=True)
    return [(path, _text(value), _origin_of(path, loaded.origin)) for path, value in _leaves(data, "")]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value)
