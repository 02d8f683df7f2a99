from __future__ import annotations

from allmende.blueprints.merge import merge_layers


def test_maps_merge_and_lists_replace() -> None:
    merged, origin = merge_layers(
        [
            ("base", {"rules": {"a": 1, "b": [1, 2]}, "x": {"y": 1}}),
            ("stack", {"rules": {"b": [3]}, "x": None}),
        ]
    )
    assert merged == {"rules": {"a": 1, "b": [3]}, "x": None}
    assert origin == {"rules.a": "base", "rules.b": "stack", "x": "stack"}


def test_a_later_mapping_replaces_a_scalar_and_its_origin() -> None:
    merged, origin = merge_layers([("base", {"k": 1}), ("stack", {"k": {"deep": True}})])
    assert merged == {"k": {"deep": True}}
    assert origin == {"k.deep": "stack"}


def test_layers_are_not_changed() -> None:
    base = {"m": {"a": 1}}
    merge_layers([("base", base), ("stack", {"m": {"b": 2}})])
    assert base == {"m": {"a": 1}}
