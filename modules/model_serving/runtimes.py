"""allmende's ClusterServingRuntimes: pinned images, non-root, no privilege escalation.

KServe's own runtime set (chart kserve-runtime-configs) is not installed: these carry the
hardened security context Pod Security "restricted" demands in tenant namespaces.
"""

from __future__ import annotations

from typing import Any

from allmende import versions
from allmende.modules.labels import meta
from allmende.modules.types import Manifest

API = "serving.kserve.io/v1alpha1"
COMPONENT = "model-serving"

SECURITY = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "runAsUser": 1000,
    "seccompProfile": {"type": "RuntimeDefault"},
}

# runtime (blueprint) -> (runtime name, image pin, model formats, protocols, container args)
RUNTIMES: dict[str, tuple[str, str, list[dict[str, Any]], list[str], list[str]]] = {
    "huggingface": (
        "allmende-huggingface",
        "kserve-huggingfaceserver",
        [{"name": "huggingface", "version": "1", "autoSelect": True, "priority": 1}],
        ["v2", "v1"],
        ["--model_name={{.Name}}", "--model_dir=/mnt/models", "--backend=vllm"],
    ),
    "mlserver": (
        "allmende-mlserver",
        "mlserver",
        [{"name": "mlflow", "version": "2", "autoSelect": True, "priority": 1}],
        ["v2"],
        [],
    ),
    "sklearn": (
        "allmende-sklearn",
        "kserve-sklearnserver",
        [{"name": "sklearn", "version": "1", "autoSelect": True, "priority": 1}],
        ["v1", "v2"],
        ["--model_name={{.Name}}", "--model_dir=/mnt/models", "--http_port=8080"],
    ),
}


def runtime_name(runtime: str) -> str:
    return RUNTIMES[runtime][0]


def model_format(runtime: str) -> dict[str, str]:
    formats = RUNTIMES[runtime][2]
    return {"name": formats[0]["name"], "version": formats[0]["version"]}


def cluster_serving_runtime(runtime: str) -> Manifest:
    name, image, formats, protocols, args = RUNTIMES[runtime]
    container: dict[str, Any] = {
        "name": "kserve-container",
        "image": versions.image_ref(image),
        "securityContext": SECURITY,
        "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
    }
    if args:
        container["args"] = args
    if runtime == "mlserver":
        container["env"] = [
            {"name": "MLSERVER_MODEL_IMPLEMENTATION", "value": "mlserver_mlflow.MLflowRuntime"},
            {"name": "MLSERVER_HTTP_PORT", "value": "8080"},
            {"name": "MLSERVER_GRPC_PORT", "value": "9000"},
            {"name": "MODELS_DIR", "value": "/mnt/models"},
        ]
    return {
        "apiVersion": API,
        "kind": "ClusterServingRuntime",
        "metadata": meta(name, COMPONENT, name),
        "spec": {
            "supportedModelFormats": formats,
            "protocolVersions": protocols,
            "containers": [container],
            "annotations": {"prometheus.kserve.io/port": "8080", "prometheus.kserve.io/path": "/metrics"},
        },
    }
