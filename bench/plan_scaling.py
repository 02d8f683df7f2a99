"""Issue 2: plan + mocked component construction at 1×, 4× and 16× the science stack."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi

from allmende.planning import plan
from allmende.stack import SectorStack
from bench.scale import scaled
from bench.timing import best_of


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def _construct(factor: int) -> int:
    bp, lock = scaled("science", factor)
    the_plan = plan(bp, "science", lock)
    asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.set_mocks(_Mocks(), project="bench", stack="bench", preview=False)

    @pulumi.runtime.test
    def build() -> pulumi.Output[Any]:
        stack = SectorStack("science", the_plan)
        children = [r.urn for c in stack.modules.values() for r in c.resources.values()]
        return pulumi.Output.all(*children)

    build()
    return len(the_plan.objects())


def run() -> dict[str, Any]:
    rows = []
    for factor in (1, 4, 16):
        seconds, objects = best_of(3, lambda f=factor: _construct(f))
        rows.append(
            {
                "size": f"{factor}x",
                "objects": objects,
                "seconds": round(seconds, 3),
                "objects_per_s": round(objects / seconds),
            }
        )
    ratio = rows[2]["seconds"] / rows[0]["seconds"]
    return {
        "title": "plan + mocked SectorStack (science stack scaled)",
        "rows": rows,
        "verdict": f"16x/1x time ratio {ratio:.1f} (target: linear, within 20x)",
        "ok": ratio <= 20,
    }
