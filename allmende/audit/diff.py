"""Comparing a planned object with its live counterpart: only the fields allmende sets count.

The API server fills in much that the Plan never says (uid, resourceVersion, managedFields,
creationTimestamp, status, defaulted fields such as a policy's `matchPolicy`). A field the Plan
sets must be present and equal; a field the Plan does not set is ignored. Two exceptions keep
the comparison honest: an empty map or list the Plan sets on purpose (`podSelector: {}` means
"every pod") must stay empty, and a list must keep its length (a removed or added rule is a change).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Metadata the server owns; never part of a comparison.
SERVER_FILLED_METADATA = frozenset(
    {
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "managedFields",
        "ownerReferences",
        "finalizers",
        "selfLink",
    }
)
# Annotations the deployment engine itself reads or writes; not part of the declared object.
ENGINE_ANNOTATION_PREFIXES = ("pulumi.com/", "kubectl.kubernetes.io/")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_SUFFIXES: dict[str, Decimal] = {
    **{s: Decimal(2) ** e for s, e in _BINARY.items()},
    **{s: Decimal(10) ** e for s, e in _DECIMAL.items()},
}


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def quantity(value: str) -> Decimal | None:
    """A Kubernetes quantity ("2", "500m", "84Gi", "1e3") as a number; None when it is not one."""
    text = value.strip()
    factor = Decimal(1)
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix) and _NUMBER.match(text[: -len(suffix)]):
            text, factor = text[: -len(suffix)], _SUFFIXES[suffix]
            break
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text) * factor
    except InvalidOperation:
        return None


def same_scalar(desired: Any, live: Any) -> bool:
    if isinstance(desired, bool) or isinstance(live, bool):
        return desired is live  # True == 1 in Python, but not in a manifest
    if desired == live:
        return True
    if isinstance(desired, str | int) and isinstance(live, str | int):
        # The server normalises quantities ("1000m" → "1") and may print numbers as numbers.
        a, b = quantity(str(desired)), quantity(str(live))
        return a is not None and a == b
    return False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def differences(desired: Any, live: Any, path: str = "") -> list[str]:
    """Every place where `live` departs from what `desired` sets, as "path: declared X, found Y"."""
    if isinstance(desired, dict):
        if live is None:
            live = {}
        if not isinstance(live, dict):
            return [f"{path}: declared a map, found {_show(live)}"]
        if not desired:
            return [] if not live else [f"{path}: declared empty, found {_show(live)}"]
        out: list[str] = []
        for key in sorted(desired):
            out += differences(desired[key], live.get(key), _key(path, key))
        return out
    if isinstance(desired, list):
        if live is None:
            live = []
        if not isinstance(live, list):
            return [f"{path}: declared a list, found {_show(live)}"]
        if len(desired) != len(live):
            return [f"{path}: declared {len(desired)} entries, found {len(live)}"]
        out = []
        for i, (d, v) in enumerate(zip(desired, live, strict=True)):
            out += differences(d, v, f"{path}[{i}]")
        return out
    if live is None:
        return [f"{path}: declared {_show(desired)}, missing"]
    if not same_scalar(desired, live):
        return [f"{path}: declared {_show(desired)}, found {_show(live)}"]
    return []


def declared_part(obj: dict[str, Any]) -> dict[str, Any]:
    """The planned object without what the comparison must not look at."""
    out = {k: v for k, v in obj.items() if k not in ("status", "apiVersion", "kind")}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SERVER_FILLED_METADATA}
    annotations = {
        k: v for k, v in (meta.get("annotations") or {}).items() if not k.startswith(ENGINE_ANNOTATION_PREFIXES)
    }
    if "annotations" in meta:
        if annotations:
            meta["annotations"] = annotations
        else:
            del meta["annotations"]
    out["metadata"] = meta
    return out


def changes(planned: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """How a live object departs from its planned version (empty: unchanged)."""
    return differences(declared_part(planned), live)
