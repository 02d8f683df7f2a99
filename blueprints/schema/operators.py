"""Third-party operators: installed by allmende from pinned charts, or already present."""

from __future__ import annotations

from typing import Literal

from allmende.blueprints.schema.base import Strict

Install = Literal["managed", "preinstalled"]


class Operators(Strict):
    cert_manager: Install = "managed"
    gateway_api: Install = "managed"
    kserve: Install = "managed"
    gpu_operator: Install = "managed"
    kueue: Install = "managed"
