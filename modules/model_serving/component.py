"""The ModelServing component: runtimes, InferenceServices, the Gateway and its routes."""

from __future__ import annotations

from allmende.wiring import PlannedComponent


class ModelServing(PlannedComponent):
    TYPE = "allmende:index:ModelServing"
