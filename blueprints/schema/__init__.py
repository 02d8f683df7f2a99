"""The Blueprint schema, one file per part."""

from allmende.blueprints.schema.accountability import Accountability, Assessment, ExceptionDecl, Provider, RegisterEntry
from allmende.blueprints.schema.blueprint import SECTORS, Blueprint, Sector
from allmende.blueprints.schema.cluster import BareMetal, Cluster, Gpu, Host, NodePool, Sharing, Taint
from allmende.blueprints.schema.institution import Institution
from allmende.blueprints.schema.operators import Operators
from allmende.blueprints.schema.registry import Registry
from allmende.blueprints.schema.rules import Rules
from allmende.blueprints.schema.serving import LlmSize, ModelRef, PayloadLogger, Replicas, Service, Serving
from allmende.blueprints.schema.tenants import GpuQuota, Tenant

__all__ = [
    "SECTORS",
    "Accountability",
    "Assessment",
    "BareMetal",
    "Blueprint",
    "Cluster",
    "ExceptionDecl",
    "Gpu",
    "GpuQuota",
    "Host",
    "Institution",
    "LlmSize",
    "ModelRef",
    "NodePool",
    "Operators",
    "PayloadLogger",
    "Provider",
    "RegisterEntry",
    "Registry",
    "Replicas",
    "Rules",
    "Sector",
    "Service",
    "Serving",
    "Sharing",
    "Taint",
    "Tenant",
]
