"""GPU memory a model needs: weights + KV cache + runtime overhead.

weights  = parameters × bytes per parameter of its dtype or quantisation
kv cache = bytes per token × context length × concurrent sequences
overhead = 10 % of the weights + 2 GB (CUDA context, activations, the runtime itself)

Bytes per token of KV cache come from the architecture when the blueprint gives layers and
hidden size (2 × layers × hidden × 2 bytes, an upper bound without grouped-query attention);
otherwise from a fit to current open models with grouped-query attention (≈ 0.09 MB + 0.0045 MB
per billion parameters: 0.12 MB for 7B, 0.23 MB for 32B, 0.41 MB for 70B).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from allmende.blueprints.schema import LlmSize, Service

BYTES_PER_PARAMETER = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
KV_BYTES = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 2.0, "int4": 2.0}
OVERHEAD_FRACTION = 0.10
OVERHEAD_GB = 2.0
GB = 1e9


class MemoryNeed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float

    @property
    def total_gb(self) -> float:
        return self.weights_gb + self.kv_cache_gb + self.overhead_gb


def kv_bytes_per_token(size: LlmSize) -> float:
    if size.layers and size.hidden:
        return 2 * size.layers * size.hidden * KV_BYTES[size.dtype]
    per_token_mb = 0.09 + 0.0045 * size.parameters_b
    return per_token_mb * 1e6 * KV_BYTES[size.dtype] / 2.0


def memory_need(service: Service) -> MemoryNeed | None:
    """The memory an LLM needs per replica; None for a service that is not sized (fixed GPUs or CPU)."""
    size = service.size
    if size is None:
        return None
    weights = size.parameters_b * 1e9 * BYTES_PER_PARAMETER[size.dtype] / GB
    kv = kv_bytes_per_token(size) * size.context * size.concurrency / GB
    overhead = weights * OVERHEAD_FRACTION + OVERHEAD_GB
    return MemoryNeed(
        service=service.name, weights_gb=round(weights, 2), kv_cache_gb=round(kv, 2), overhead_gb=round(overhead, 2)
    )
