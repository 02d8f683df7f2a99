"""The GPU Operator's device-plugin configurations: one named config per time-sliced pool."""

from __future__ import annotations

from typing import Any

import yaml

from allmende.blueprints.schema import Blueprint
from allmende.modules.gpu_cluster.nodes import GPU, device_plugin_config_name

CONFIG_MAP = "allmende-device-plugin"
DEFAULT = "default"


def configs(blueprint: Blueprint) -> dict[str, str]:
    """Config name -> the device plugin's YAML config (version v1)."""
    out = {DEFAULT: yaml.safe_dump({"version": "v1", "flags": {"migStrategy": _mig_strategy(blueprint)}})}
    for pool in blueprint.cluster.pools:
        name = device_plugin_config_name(pool)
        if name is None:
            continue
        config: dict[str, Any] = {
            "version": "v1",
            "flags": {"migStrategy": "none"},
            "sharing": {"timeSlicing": {"resources": [{"name": GPU, "replicas": pool.sharing.replicas}]}},
        }
        out[name] = yaml.safe_dump(config, sort_keys=True)
    return dict(sorted(out.items()))


def _mig_strategy(blueprint: Blueprint) -> str:
    return "single" if any(p.sharing.mode == "mig" for p in blueprint.cluster.pools) else "none"


def chart_values(blueprint: Blueprint) -> dict[str, Any]:
    """Values of the gpu-operator chart: driver/toolkit switches, our device-plugin configs, DCGM on."""
    cluster = blueprint.cluster
    return {
        "driver": {"enabled": cluster.gpu_driver == "operator"},
        "toolkit": {"enabled": cluster.container_toolkit == "operator"},
        "devicePlugin": {"config": {"name": CONFIG_MAP, "default": DEFAULT}},
        "mig": {"strategy": _mig_strategy(blueprint)},
        "migManager": {"enabled": _mig_strategy(blueprint) != "none"},
        "dcgmExporter": {"enabled": True},
        "nfd": {"enabled": True},
    }
