"""Writing the Plan as files: one YAML file per object, the charts, and a bill of materials.

Everything is built in memory first, written into a fresh folder beside the target and only
then moved into place, so a failure never leaves a half-written output.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from allmende import versions
from allmende.modules.types import Manifest, Plan


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100)


def object_file(obj: Manifest) -> str:
    meta = obj["metadata"]
    namespace = meta.get("namespace", "_cluster")
    return f"{namespace}/{obj['kind'].lower()}-{meta['name']}.yaml"


def bill_of_materials(plan: Plan) -> dict[str, Any]:
    used_charts = {c.name for c in plan.charts()}
    return {
        "stack": plan.stack,
        "pins": [{**p.model_dump(), "used": p.kind != "chart" or p.name in used_charts} for p in versions.all_pins()],
    }


def files(plan: Plan) -> dict[str, str]:
    """Relative path -> content, for the whole Plan."""
    out: dict[str, str] = {}
    for name, module in plan.modules.items():
        for obj in module.objects:
            out[f"{name}/{object_file(obj)}"] = dump(obj)
        for chart in module.charts:
            out[f"{name}/charts/{chart.name}.yaml"] = dump(chart.model_dump())
        for secret in module.secrets:
            out[f"{name}/secrets/{secret.namespace}-{secret.name}.yaml"] = dump(secret.model_dump(exclude_none=True))
        for bundle in module.bundles:
            out[f"{name}/bundles/{bundle.name}.yaml"] = dump(bundle.model_dump())
        for index, run in enumerate(module.ansible_runs):
            out[f"{name}/ansible/{index}-{run.name}.yaml"] = dump(run.model_dump(mode="json"))
        for patch in module.node_patches:
            out[f"{name}/node-patches/{patch.node}.yaml"] = dump(patch.model_dump())
    out["bom.yaml"] = dump(bill_of_materials(plan))
    return dict(sorted(out.items()))


def write_tree(contents: dict[str, str], target: Path) -> None:
    """Replace `target` with exactly these files, atomically from the reader's point of view."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for rel, text in contents.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
