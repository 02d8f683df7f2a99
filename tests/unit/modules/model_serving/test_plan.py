from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from allmende.blueprints.loader import load
from allmende.blueprints.schema import ExceptionDecl, PayloadLogger
from allmende.models.lock import CanaryVersion
from allmende.modules.model_serving.plan import pending, plan
from allmende.planning import lock_of
from tests.conftest import STACKS

TODAY = dt.date(2026, 11, 24)


def _isvc(stack: str, **changes: Any) -> dict[str, dict[str, Any]]:
    loaded = load(stack)
    lock = lock_of(loaded)
    objs = plan(loaded.blueprint, lock, TODAY).objects
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == "InferenceService"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_locked_service_is_served_with_accountability_labels(stack: str) -> None:
    loaded = load(stack)
    services = _isvc(stack)
    assert set(services) == {s.name for s in loaded.blueprint.serving.services}
    for name, isvc in services.items():
        labels = isvc["metadata"]["labels"]
        assert labels["allmende.org/register-id"] == name
        assert labels["allmende.org/licence"] in loaded.blueprint.rules.allowed_licences
        assert isvc["metadata"]["annotations"]["allmende.org/model-checksum"].startswith("sha256:")
        storage = isvc["spec"]["predictor"]["model"]["storageUri"]
        assert storage.startswith(("s3://", "pvc://")) and "models:/" not in storage
        assert "logger" not in isvc["spec"]["predictor"]


def test_gpu_requests_and_placement_come_from_the_planner() -> None:
    chat = _isvc("science")["campus-chat"]["spec"]["predictor"]
    assert chat["model"]["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert "--tensor-parallel-size=2" in chat["model"]["args"]
    assert chat["nodeSelector"] == {"allmende.org/pool": "h100"}
    assert chat["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert chat["minReplicas"] == 0  # science scales idle services to zero


def test_health_keeps_critical_services_up() -> None:
    drafting = _isvc("health")["report-drafting"]["spec"]["predictor"]
    assert drafting["minReplicas"] == 2 and drafting["maxReplicas"] == 2


def test_cpu_models_request_no_gpu() -> None:
    sepsis = _isvc("health")["sepsis-risk"]["spec"]["predictor"]
    assert "nvidia.com/gpu" not in sepsis["model"]["resources"]["limits"]
    assert sepsis["model"]["runtime"] == "allmende-mlserver"
    assert sepsis["model"]["protocolVersion"] == "v2"


def _with_logger(exception_expires: str | None) -> dict[str, Any]:
    loaded = load("science")
    bp = loaded.blueprint
    services = [
        s.model_copy(update={"payload_logger": PayloadLogger(mode="all", url="http://sink.humanities.svc")})
        if s.name == "campus-chat"
        else s
        for s in bp.serving.services
    ]
    exceptions = (
        [
            ExceptionDecl(
                control="payload-logging-denied",
                services=["campus-chat"],
                reason="Two-week study of answer quality with consenting participants",
                approver="Ethics board",
                expires=exception_expires,
            )
        ]
        if exception_expires
        else []
    )
    bp = bp.model_copy(
        update={
            "serving": bp.serving.model_copy(update={"services": services}),
            "accountability": bp.accountability.model_copy(update={"exceptions": exceptions}),
        }
    )
    objs = plan(bp, lock_of(loaded), TODAY).objects
    return next(o for o in objs if o["kind"] == "InferenceService" and o["metadata"]["name"] == "campus-chat")


def test_payload_logger_only_under_an_unexpired_exception() -> None:
    assert "logger" not in _with_logger(None)["spec"]["predictor"]
    assert "logger" not in _with_logger("2026-11-23")["spec"]["predictor"]
    assert _with_logger("2026-11-24")["spec"]["predictor"]["logger"]["mode"] == "all"


def test_canary_then_promotion() -> None:
    loaded = load("science")
    lock = lock_of(loaded)
    assert lock is not None
    chat = lock.for_service("campus-chat")
    assert chat is not None
    canary = CanaryVersion(
        version="4",
        storage_uri="s3://allmende-models/1/models/m-new/artifacts",
        checksum="sha256:" + "a" * 64,
        traffic_percent=10,
        tags=chat.tags,
    )
    rolled = lock.model_copy(
        update={"models": [m.model_copy(update={"canary": canary}) if m is chat else m for m in lock.models]}
    )
    isvc = next(
        o
        for o in plan(loaded.blueprint, rolled, TODAY).objects
        if o["metadata"]["name"] == "campus-chat" and o["kind"] == "InferenceService"
    )
    (entry,) = isvc["spec"]["canary"]
    assert entry["trafficPercent"] == 10 and entry["predictor"]["name"] == "v4"
    assert "maxReplicas" not in entry["predictor"]
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == chat.storage_uri
    full = canary.model_copy(update={"traffic_percent": 100})
    promoted_lock = lock.model_copy(
        update={"models": [m.model_copy(update={"canary": full}) if m is chat else m for m in lock.models]}
    )
    promoted = next(
        o
        for o in plan(loaded.blueprint, promoted_lock, TODAY).objects
        if o["metadata"]["name"] == "campus-chat" and o["kind"] == "InferenceService"
    )
    assert "canary" not in promoted["spec"]
    assert promoted["spec"]["predictor"]["model"]["storageUri"].endswith("m-new/artifacts")
    assert promoted["metadata"]["labels"]["allmende.org/model-version"] == "4"


def test_services_without_a_lock_are_pending_and_unrouted() -> None:
    bp = load("science").blueprint
    objs = plan(bp, None, TODAY).objects
    assert not [o for o in objs if o["kind"] in ("InferenceService", "HTTPRoute")]
    assert pending(bp, None) == ["campus-chat", "galaxy-morphology"]


def test_exposed_services_get_a_route_and_internal_ones_do_not() -> None:
    loaded = load("science")
    objs = plan(loaded.blueprint, lock_of(loaded), TODAY).objects
    routes = {o["metadata"]["name"]: o for o in objs if o["kind"] == "HTTPRoute"}
    assert set(routes) == {"campus-chat"}
    paths = [m["path"]["value"] for m in routes["campus-chat"]["spec"]["rules"][0]["matches"]]
    assert "/openai/v1/chat/completions" in paths
    gateway = next(o for o in objs if o["kind"] == "Gateway")
    assert gateway["spec"]["listeners"][0]["protocol"] == "HTTPS"
