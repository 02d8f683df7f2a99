"""Issue 3: `pulumi preview` of each stack against a baseline program of as many trivial
ConfigMaps, on the same engine and cluster in the same run; and the stack program's import time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from allmende.blueprints import dev_nodes
from allmende.blueprints.loader import load, stacks_dir
from allmende.devcluster import FakeNode, default_crds_dirs, down, up
from allmende.engine import checked, engine_env, ensure_stack, pulumi
from allmende.planning import plan_loaded

BASELINE = """
import pulumi
import pulumi_kubernetes as k8s

provider = k8s.Provider("cluster", kubeconfig={kubeconfig!r})
for i in range({count}):
    k8s.core.v1.ConfigMap(f"cm-{{i}}", metadata={{"name": f"cm-{{i}}", "namespace": "default"}},
                          data={{"i": str(i)}}, opts=pulumi.ResourceOptions(provider=provider))
"""


def _timed(args: list[str], cwd: Path, stack: str, state: Path) -> float:
    began = time.perf_counter()
    checked(pulumi(args, stack=stack, cwd=cwd, state=state, capture=True), " ".join(args))
    return time.perf_counter() - began


def _baseline_project(folder: Path, kubeconfig: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    venv = Path(sys.executable).parent.parent
    (folder / "Pulumi.yaml").write_text(
        f"name: baseline\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n", encoding="utf-8"
    )
    (folder / "__main__.py").write_text(BASELINE.format(kubeconfig=str(kubeconfig), count=count), encoding="utf-8")
    return folder


def preview_ratio(stack: str, root: Path) -> dict[str, Any]:
    dev, state = root / "dev", root / "state"
    os.environ["ALLMENDE_DEV_DIR"], os.environ["ALLMENDE_STATE_DIR"] = str(dev), str(state)
    try:
        up(dev, [FakeNode.model_validate(n) for n in dev_nodes(stack)], default_crds_dirs())
        objects = len(plan_loaded(load(stack)).objects())
        ensure_stack(stack, state=state)
        baseline = _baseline_project(root / "baseline", dev / "kubeconfig", objects)
        ensure_stack(stack, state=state, cwd=baseline)
        ours = min(_timed(["preview"], stacks_dir(), stack, state) for _ in range(2))
        base = min(_timed(["preview"], baseline, stack, state) for _ in range(2))
    finally:
        down(dev)
        os.environ.pop("ALLMENDE_DEV_DIR")
        os.environ.pop("ALLMENDE_STATE_DIR")
    return {
        "stack": stack,
        "objects": objects,
        "preview_s": round(ours, 2),
        "baseline_s": round(base, 2),
        "ratio": round(ours / base, 2),
    }


def import_seconds() -> float:
    """Wall time of importing what the stack program imports (the best of three runs)."""
    best = float("inf")
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import allmende.engine_program"],
            capture_output=True,
            text=True,
            check=True,
            env=engine_env(),
        )
        total = re.findall(r"\|\s+(\d+) \| allmende\.engine_program$", result.stderr, re.M)
        best = min(best, int(total[-1]) / 1e6)
    return best


def run() -> dict[str, Any]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="allmende-bench-") as tmp:
        for stack in ("science", "health", "manufacturing"):
            rows.append(preview_ratio(stack, Path(tmp) / stack))
    seconds = import_seconds()
    rows.append(
        {
            "stack": "(import of the stack program)",
            "objects": "-",
            "preview_s": round(seconds, 2),
            "baseline_s": "-",
            "ratio": "-",
        }
    )
    ok = all(r["ratio"] <= 1.5 for r in rows[:3]) and seconds <= 1.5
    return {
        "title": "pulumi preview against a baseline of as many ConfigMaps (same engine, same cluster)",
        "rows": rows,
        "verdict": "targets: preview at most 1.5x the baseline; stack program imports in at most 1.5 s",
        "ok": ok,
    }
