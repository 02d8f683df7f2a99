"""Operators upgrading with `pulumi up`: previews that tell the truth, stateful parts never
replaced, and an interrupted `up` that `refresh` + `up` bring back with nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from allmende.blueprints.loader import load
from allmende.engine import engine_env
from allmende.planning import plan_loaded
from tests.engine.stack_env import StackEnv, eventually, stack_env

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
EARLIER = Path(__file__).parent / "fixtures" / "Pulumi.science-earlier.yaml"
STATEFUL_TYPES = (
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
)
DESTRUCTIVE = {"replace", "create-replacement", "delete-replaced", "delete", "discard"}


def _stacks_copy(target: Path, blueprint: Path) -> Path:
    """A stacks folder like the shipped one, with another version of the science stack file."""
    target.mkdir(parents=True)
    project = yaml.safe_load((ROOT / "stacks" / "Pulumi.yaml").read_text(encoding="utf-8"))
    project["runtime"]["options"]["virtualenv"] = str((ROOT / ".venv").resolve())
    (target / "Pulumi.yaml").write_text(yaml.safe_dump(project), encoding="utf-8")
    shutil.copy(ROOT / "stacks" / "__main__.py", target / "__main__.py")
    shutil.copy(blueprint, target / "Pulumi.science.yaml")
    shutil.copy(ROOT / "stacks" / "science.models.lock.yaml", target / "science.models.lock.yaml")
    return target


@pytest.fixture
def science(tmp_path: Path) -> Iterator[StackEnv]:
    with stack_env("science", tmp_path) as env:
        yield env


def _steps(env: StackEnv) -> list[dict[str, Any]]:
    result = env.ok("preview", "--json")
    return list(json.loads(result.stdout).get("steps", []))


def test_upgrade_from_an_earlier_release_keeps_stateful_resources(science: StackEnv, tmp_path: Path) -> None:
    old = _stacks_copy(tmp_path / "old-stacks", EARLIER)
    os.environ["ALLMENDE_STACKS_DIR"] = str(old)
    try:
        science.ok("up", "--yes", "--skip-preview")
    finally:
        del os.environ["ALLMENDE_STACKS_DIR"]
    steps = _steps(science)
    ops = {(s["op"], s.get("urn", "").split("::")[-1]) for s in steps}
    assert any(op == "create" for op, _ in ops), "the upgrade adds the new faculty and service"
    destructive = [s for s in steps if s["op"] in DESTRUCTIVE and s.get("urn", "").split("::")[2] in STATEFUL_TYPES]
    assert destructive == []
    protected = [s for s in steps if s["op"] in DESTRUCTIVE and (s.get("oldState") or {}).get("protect")]
    assert protected == []
    science.ok("up", "--yes", "--skip-preview")
    science.ok("up", "--yes", "--skip-preview", "--expect-no-changes")


def test_an_interrupted_up_converges(science: StackEnv) -> None:
    from allmende.blueprints.loader import stacks_dir

    process = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", "science"],
        cwd=stacks_dir(),
        env=engine_env(science.state),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    created = 0
    deadline = time.monotonic() + 300
    for line in process.stdout:
        created += " created " in line
        if created >= 5 or time.monotonic() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)  # the engine, the language host and the provider, mid-update
    process.wait(timeout=30)
    assert created >= 5, "the update was stopped after it had started creating resources"

    # the killed engine left its lock on the local backend (and, if it died while saving, a
    # truncated checkpoint beside the backup the backend keeps): the documented recovery
    if science.pulumi("cancel", "--yes").code != 0:
        for checkpoint in (science.state / ".pulumi" / "stacks").rglob("science.json"):
            backup = checkpoint.with_name("science.json.bak")
            if backup.is_file():
                shutil.copy(backup, checkpoint)
        science.ok("cancel", "--yes")
    science.ok("refresh", "--yes", "--skip-preview", "--clear-pending-creates")
    science.ok("up", "--yes", "--skip-preview")
    science.ok("up", "--yes", "--skip-preview", "--expect-no-changes")
    core = client.CoreV1Api(science.api)
    planned = {o["metadata"]["name"] for o in plan_loaded(load("science")).objects() if o["kind"] == "Namespace"}
    eventually(lambda: planned <= {n.metadata.name for n in core.list_namespace().items}, what="every namespace")
