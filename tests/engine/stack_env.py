"""A stack on the real engine: its own local cluster and Pulumi state in a temporary folder."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from allmende.blueprints import dev_nodes
from allmende.devcluster import FakeNode, default_crds_dirs, down, up
from allmende.devcluster.kube import api_client
from allmende.engine import ENGINE_TOOLS, Result, ensure_stack, pulumi
from allmende.errors import AllmendeError
from allmende.toolchain import require_tools


@dataclass
class StackEnv:
    stack: str
    dev: Path
    state: Path
    api: client.ApiClient

    def pulumi(self, *args: str, timeout: float = 900) -> Result:
        return pulumi(list(args), stack=self.stack, state=self.state, capture=True, timeout=timeout)

    def ok(self, *args: str, timeout: float = 900) -> Result:
        result = self.pulumi(*args, timeout=timeout)
        assert result.code == 0, f"pulumi {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        return result

    def preview_steps(self) -> list[dict[str, Any]]:
        result = self.ok("preview", "--json", "--diff")
        return list(json.loads(result.stdout).get("steps", []))


def require_engine() -> None:
    try:
        require_tools(ENGINE_TOOLS)
    except AllmendeError as error:
        pytest.fail(f"{error.render()}\nThe engine tests need the built tools: run `allmende tools build` first.")


def eventually(check: Callable[[], Any], timeout: float = 120.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(1.0)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def stack_env(stack: str, root: Path) -> Iterator[StackEnv]:
    """A running local cluster for `stack` and an initialised Pulumi stack in a fresh local backend."""
    require_engine()
    dev, state = root / "dev", root / "state"
    saved = {k: os.environ.get(k) for k in ("ALLMENDE_DEV_DIR", "ALLMENDE_STATE_DIR")}
    os.environ["ALLMENDE_DEV_DIR"] = str(dev)
    os.environ["ALLMENDE_STATE_DIR"] = str(state)
    try:
        up(dev, [FakeNode.model_validate(n) for n in dev_nodes(stack)], default_crds_dirs())
        ensure_stack(stack, state=state)
        yield StackEnv(stack, dev, state, api_client(dev / "kubeconfig"))
    finally:
        down(dev)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
