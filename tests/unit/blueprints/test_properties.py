"""Any blueprint either validates (and plans deterministically) or yields a clean error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allmende.blueprints.loader import CONFIG_KEY, layers_for, validate_mapping
from allmende.blueprints.merge import merge_layers
from allmende.errors import AllmendeError
from allmende.planning import plan
from allmende.render import files

ROOT = Path(__file__).resolve().parents[3]
STACK = ROOT / "stacks" / "Pulumi.science.yaml"
BASE = yaml.safe_load(STACK.read_text(encoding="utf-8"))["config"][CONFIG_KEY]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=100),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["science", "health", "time-slicing", "mig", "auto", "physics", "h100", "exclusive"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out += _paths(child, (*prefix, index))
    return out


PATHS = _paths(BASE)


def _apply(data: dict[str, Any], edits: list[tuple[tuple[Any, ...], Any, bool]]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for path, value, drop in edits:
        node: Any = data
        try:
            for step in path[:-1]:
                node = node[step]
            if drop:
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


def _validate(declared: Any) -> None:
    layers = layers_for(declared, STACK)
    merged, _ = merge_layers(layers)
    blueprint = validate_mapping(merged, "generated")
    first = files(plan(blueprint, "generated"))
    assert first == files(plan(blueprint, "generated"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), values, st.booleans()), min_size=1, max_size=4))
def test_mutated_blueprint_validates_or_fails_cleanly(edits: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    try:
        _validate(_apply(BASE, edits))
    except AllmendeError as exc:
        assert exc.render()


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([*BASE.keys(), "other"]), values, max_size=6))
def test_arbitrary_mapping_validates_or_fails_cleanly(declared: dict[str, Any]) -> None:
    try:
        _validate(declared)
    except AllmendeError as exc:
        assert exc.render()
