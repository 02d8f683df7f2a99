"""Property tests of the capacity planner: no GPU over-committed, close to the lower bound, stable."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from allmende.blueprints.capacity import memory_need, plan_capacity
from allmende.blueprints.gpus import unit_memory_gb, units_per_node
from allmende.blueprints.loader import load
from allmende.blueprints.schema import Blueprint, LlmSize, NodePool, Replicas, Service

BASE = load("science").blueprint

POOLS = [
    NodePool.model_validate(
        {
            "name": "h100",
            "nodes": 6,
            "cpu": 96,
            "memory_gi": 1024,
            "gpu": {"product": "H100", "per_node": 8, "memory_gb": 80},
        }
    ),
    NodePool.model_validate(
        {
            "name": "h100-mig",
            "nodes": 2,
            "cpu": 96,
            "memory_gi": 1024,
            "gpu": {"product": "H100", "per_node": 8, "memory_gb": 80},
            "sharing": {"mode": "mig", "profile": "all-3g.40gb"},
        }
    ),
    NodePool.model_validate(
        {
            "name": "l4",
            "nodes": 2,
            "cpu": 32,
            "memory_gi": 128,
            "gpu": {"product": "L4", "per_node": 4, "memory_gb": 24},
            "sharing": {"mode": "time-slicing", "replicas": 4},
        }
    ),
]

llm = st.builds(
    lambda i, params, dtype, context, conc, replicas: Service(
        name=f"llm-{i}",
        tenant="physics",
        model={"name": f"m{i}"},  # type: ignore[arg-type]
        runtime="huggingface",
        size=LlmSize(parameters_b=params, dtype=dtype, context=context, concurrency=conc),
        replicas=Replicas(min=1, max=replicas),
    ),
    st.integers(0, 10_000),
    st.sampled_from([7.0, 8.0, 13.0, 32.0, 70.0]),
    st.sampled_from(["bf16", "fp8", "int4"]),
    st.sampled_from([4096, 8192]),
    st.sampled_from([4, 8, 16]),
    st.integers(1, 3),
)
small = st.builds(
    lambda i, replicas: Service(
        name=f"small-{i}",
        tenant="physics",
        model={"name": f"s{i}"},  # type: ignore[arg-type]
        runtime="mlserver",
        pool="l4",
        gpus=1,
        replicas=Replicas(min=1, max=replicas),
    ),
    st.integers(0, 10_000),
    st.integers(1, 2),
)


def _blueprint(services: list[Service]) -> Blueprint:
    unique = list({s.name: s for s in services}.values())
    cluster = BASE.cluster.model_copy(update={"pools": POOLS})
    return BASE.model_copy(update={"cluster": cluster, "serving": BASE.serving.model_copy(update={"services": unique})})


mixes = st.lists(st.one_of(llm, small), min_size=1, max_size=25)


@settings(max_examples=120, deadline=None)
@given(mixes)
def test_never_over_commits_a_node(services: list[Service]) -> None:
    bp = _blueprint(services)
    capacity = plan_capacity(bp)
    load_per_node: Counter[tuple[str, str]] = Counter()
    for placed in capacity.placements:
        for node in placed.nodes:
            load_per_node[(placed.pool or "", node)] += placed.units
    pools = {p.name: p for p in bp.cluster.pools}
    for (pool, _), used in load_per_node.items():
        assert used <= units_per_node(pools[pool])
    for usage in capacity.pools:
        assert usage.units_used <= usage.units_total and usage.gpus_used <= usage.gpus_total


@settings(max_examples=120, deadline=None)
@given(mixes)
def test_within_twice_the_lower_bound(services: list[Service]) -> None:
    capacity = plan_capacity(_blueprint(services))
    if capacity.lower_bound:
        assert capacity.gpus_used <= 2 * capacity.lower_bound


@settings(max_examples=60, deadline=None)
@given(mixes)
def test_deterministic_and_every_sized_replica_gets_its_memory(services: list[Service]) -> None:
    bp = _blueprint(services)
    first, second = plan_capacity(bp), plan_capacity(bp)
    assert first == second
    pools = {p.name: p for p in bp.cluster.pools}
    for placed in first.placements:
        service = next(s for s in bp.serving.services if s.name == placed.service)
        need = memory_need(service)
        if need is not None and placed.pool is not None:
            pool = pools[placed.pool]
            assert pool.gpu is not None
            assert placed.units * unit_memory_gb(pool) >= need.total_gb


def test_placement_spreads_replicas() -> None:
    services: list[Any] = [
        Service(
            name="chat",
            tenant="physics",
            model={"name": "m"},  # type: ignore[arg-type]
            runtime="huggingface",
            size=LlmSize(parameters_b=8),
            replicas=Replicas(min=3, max=3),
        )
    ]
    placed = plan_capacity(_blueprint(services)).placement("chat")
    assert placed is not None and placed.pool == "h100-mig"  # a 3g.40gb slice wastes least
    assert sorted(placed.nodes) == ["h100-mig-0", "h100-mig-0", "h100-mig-1"]  # both nodes before doubling up
