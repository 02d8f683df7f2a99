"""The Gateway and one HTTPRoute per exposed service (TLS on every listener).

Internal services get no route. LLM services are reached under their OpenAI-compatible paths
(`/openai/v1/...` of KServe's Hugging Face runtime), other models under the V1/V2 protocol
paths; every route also answers on `/<service>/` with the prefix stripped.
"""

from __future__ import annotations

from typing import Any

from allmende.blueprints.schema import Blueprint, Service
from allmende.modules.labels import DOMAIN, meta
from allmende.modules.types import Manifest

API = "gateway.networking.k8s.io/v1"
COMPONENT = "model-serving"
TLS_SECRET = "allmende-gateway-tls"


def gateway(bp: Blueprint) -> Manifest:
    metadata = meta(bp.serving.gateway, COMPONENT, "gateway", bp.serving.namespace)
    metadata["annotations"] = {"cert-manager.io/cluster-issuer": bp.serving.tls_issuer}
    return {
        "apiVersion": API,
        "kind": "Gateway",
        "metadata": metadata,
        "spec": {
            "gatewayClassName": bp.serving.gateway_class,
            "listeners": [
                {
                    "name": "https",
                    "hostname": f"*.{bp.serving.domain}",
                    "port": 443,
                    "protocol": "HTTPS",
                    "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": TLS_SECRET}]},
                    "allowedRoutes": {
                        "namespaces": {"from": "Selector", "selector": {"matchLabels": {f"{DOMAIN}/role": "tenant"}}}
                    },
                }
            ],
        },
    }


def _paths(service: Service) -> list[str]:
    if service.runtime == "huggingface":
        return ["/openai/v1/chat/completions", "/openai/v1/completions", "/openai/v1/models"]
    return [f"/v1/models/{service.name}", f"/v2/models/{service.name}"]


def http_route(bp: Blueprint, service: Service) -> Manifest:
    namespace = bp.tenant(service.tenant).namespace
    backend = [{"name": f"{service.name}-predictor", "port": 80}]
    rules: list[dict[str, Any]] = [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": path}} for path in _paths(service)],
            "backendRefs": backend,
        }
    ]
    return {
        "apiVersion": API,
        "kind": "HTTPRoute",
        "metadata": meta(service.name, COMPONENT, service.name, namespace, service=service.name),
        "spec": {
            "parentRefs": [{"name": bp.serving.gateway, "namespace": bp.serving.namespace, "sectionName": "https"}],
            "hostnames": [f"{service.name}.{bp.serving.domain}"],
            "rules": rules,
        },
    }


def routes(bp: Blueprint, served: set[str]) -> list[Manifest]:
    """Routes for the exposed services among `served` (those with an InferenceService)."""
    exposed = [s for s in bp.serving.services if s.exposure != "internal" and s.name in served]
    return [m for s in exposed for m in (http_route(bp, s), allow_from_gateway(bp, s))]


def allow_from_gateway(bp: Blueprint, service: Service) -> Manifest:
    """Lets the gateway reach an exposed service's predictor through the tenant's default deny."""
    namespace = bp.tenant(service.tenant).namespace
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(f"allow-gateway-{service.name}", COMPONENT, service.name, namespace, service=service.name),
        "spec": {
            "podSelector": {"matchLabels": {"serving.kserve.io/inferenceservice": service.name}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": bp.serving.namespace}}}
                    ],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            ],
        },
    }
