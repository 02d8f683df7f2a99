"""The capacity planner: how much GPU memory each model needs, and where its replicas go."""

from allmende.blueprints.capacity.placement import CapacityPlan, PoolUsage, ServicePlacement, plan_capacity
from allmende.blueprints.capacity.sizing import MemoryNeed, memory_need

__all__ = ["CapacityPlan", "MemoryNeed", "PoolUsage", "ServicePlacement", "memory_need", "plan_capacity"]
