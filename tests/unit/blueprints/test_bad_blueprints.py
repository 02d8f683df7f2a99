"""Every bad blueprint of the corpus is refused with exactly the expected problems."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from allmende.blueprints.loader import CONFIG_KEY, load_file
from allmende.errors import InvalidInput

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "bad_blueprints.yaml").read_text(encoding="utf-8"))
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in STEP.findall(path)]


def _edit(data: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for path, value in case.get("set", {}).items():
        *parents, last = _steps(path)
        node: Any = data
        for step in parents:
            node = node[step]
        node[last] = value
    for path in case.get("drop", []):
        *parents, last = _steps(path)
        node = data
        for step in parents:
            node = node[step]
        del node[last]
    return data


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_blueprint_is_refused_with_exact_message(case: dict[str, Any], root: Path, tmp_path: Path) -> None:
    stack = yaml.safe_load((root / "stacks" / "Pulumi.science.yaml").read_text(encoding="utf-8"))
    bad = _edit(stack["config"][CONFIG_KEY], case)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_file(path)
    got = [p.render() for p in caught.value.problems]
    assert got == case["expect"]
