"""The services: which registered model runs where, on how many GPUs, for whom."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from allmende.blueprints.schema.base import Name, NonNegativeInt, PositiveInt, Strict


class ModelRef(Strict):
    name: str = Field(min_length=1, description="registered model name in MLflow")
    alias: str = Field(default="production", min_length=1)


class LlmSize(Strict):
    """What the capacity planner needs to size an LLM."""

    parameters_b: float = Field(gt=0, description="parameters, in billions")
    dtype: Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4"] = "bf16"
    context: PositiveInt = Field(default=8192, description="context length in tokens")
    concurrency: PositiveInt = Field(default=16, description="concurrent sequences to hold in the KV cache")
    layers: PositiveInt | None = None
    hidden: PositiveInt | None = None


class Replicas(Strict):
    min: NonNegativeInt = 1
    max: PositiveInt = 1

    @model_validator(mode="after")
    def _order(self) -> Replicas:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class PayloadLogger(Strict):
    """KServe's payload logger. Only deployed under a declared, unexpired exception
    (control `payload-logging-denied`): it ships people's requests and answers to a sink."""

    mode: Literal["all", "request", "response"]
    url: str = Field(min_length=8, description="the sink that receives the payloads")


class Service(Strict):
    name: Name
    tenant: Name
    model: ModelRef
    runtime: Literal["huggingface", "mlserver", "sklearn"]
    pool: Name | None = Field(default=None, description="node pool; empty: the planner picks")
    gpus: NonNegativeInt | Literal["auto"] = "auto"
    size: LlmSize | None = Field(default=None, description="LLMs: what the capacity planner sizes")
    replicas: Replicas = Replicas()
    scale_to_zero: bool | None = Field(default=None, description="empty: the sector's default")
    exposure: Literal["internal", "institution", "public"] = "institution"
    critical: bool = False
    canary_percent: int = Field(
        default=10, ge=0, le=100, description="traffic a new model version gets first (0: a dark launch)"
    )
    payload_logger: PayloadLogger | None = None

    @model_validator(mode="after")
    def _llm(self) -> Service:
        if self.runtime == "huggingface" and self.gpus == "auto" and self.size is None:
            raise ValueError("an LLM with `gpus: auto` needs `size` (parameters_b, dtype, context) for the planner")
        return self


class Serving(Strict):
    namespace: Name = "allmende-serving"
    gateway: Name = "allmende-gateway"
    domain: str = Field(default="ai.example.org", min_length=3)
    gateway_class: str = Field(
        default="allmende", description="GatewayClass of the institution's Gateway API implementation"
    )
    tls_issuer: str = Field(
        default="allmende-issuer", description="cert-manager ClusterIssuer for the gateway certificate"
    )
    services: list[Service] = []
