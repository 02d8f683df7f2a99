"""A registered model served by KServe's own model server code, driven in-process.

`PyfuncModel` is a `kserve.Model` around `mlflow.pyfunc.load_model`. KServe's REST server
always binds 0.0.0.0, so instead of opening a port we build the same FastAPI application its
`RESTServer` builds (KServe's V2 endpoints, data plane, middlewares, exception handlers) and
send the requests to it through an in-process ASGI transport: nothing listens on the network.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from allmende.errors import AllmendeError

V2_DATATYPES = {"b": "BOOL", "i": "INT64", "u": "UINT64", "f": "FP64"}


def _import_kserve_server() -> Any:
    """kserve.model_server parses sys.argv on import; keep our own arguments away from it."""
    saved = sys.argv
    sys.argv = [saved[0]]
    try:
        import kserve.model_server as model_server
    finally:
        sys.argv = saved
    return model_server


def pyfunc_model_class() -> type[Any]:
    _import_kserve_server()
    import kserve
    from kserve.protocol.infer_type import InferOutput, InferRequest, InferResponse

    class PyfuncModel(kserve.Model):  # type: ignore[misc]
        """An MLflow pyfunc model as KServe serves it (V2 protocol: one input per column)."""

        def __init__(self, name: str, path: Path) -> None:
            super().__init__(name)
            self.path = path
            self.pyfunc: Any = None

        def load(self) -> bool:
            import mlflow.pyfunc

            self.pyfunc = mlflow.pyfunc.load_model(str(self.path))
            self.ready = True
            return True

        async def predict(
            self, payload: InferRequest, headers: dict[str, str] | None = None, response_headers: Any = None
        ) -> InferResponse:
            frame = payload.as_dataframe()
            result = self.pyfunc.predict(frame)
            values = result.to_numpy() if hasattr(result, "to_numpy") else result
            import numpy as np

            array = np.asarray(values)
            if array.ndim > 1 and array.shape[1] == 1:
                array = array[:, 0]
            datatype = V2_DATATYPES.get(array.dtype.kind, "BYTES")
            data = array.tolist() if datatype != "BYTES" else [str(v) for v in array.tolist()]
            output = InferOutput(name="predict", shape=list(array.shape), datatype=datatype, data=data)
            return InferResponse(model_name=self.name, infer_outputs=[output], response_id=payload.id)

    return PyfuncModel


def load_model(name: str, path: Path) -> Any:
    """The loaded kserve.Model, or a refusal saying why the artifacts don't load."""
    model = pyfunc_model_class()(name, path)
    try:
        model.load()
    except Exception as exc:  # whatever the flavour raises, the steward needs the reason
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise AllmendeError(
            f"the artifacts of {name} do not load as an MLflow model: {type(exc).__name__}: {reason}",
            fix="register a version whose artifacts load with mlflow.pyfunc.load_model",
        ) from None
    return model


def quiet() -> None:
    """KServe logs every request at INFO; an evaluation prints its own summary."""
    import logging

    for name in ("kserve", "kserve.trace", "uvicorn", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


def application(model: Any) -> Any:
    """The FastAPI app KServe's RESTServer would serve for this one model."""
    model_server = _import_kserve_server()
    quiet()
    import fastapi
    from kserve.model_repository import ModelRepository
    from kserve.protocol.rest.server import RESTServer

    server = model_server.ModelServer(enable_grpc=False, registered_models=ModelRepository(), http_port=0)
    server.register_model(model)
    rest = RESTServer("kserve.model_server:app", server.dataplane, server.model_repository_extension, http_port=0)
    app = fastapi.FastAPI(title=f"allmende evaluation of {model.name}")
    rest._add_middlewares(app)
    rest._register_endpoints(app)
    rest._add_exception_handlers(app)
    return app


def v2_request(columns: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """A V2 inference request with one input tensor per column."""
    inputs = []
    for name, values in columns.items():
        kinds = {type(v) for v in values}
        if kinds <= {bool}:
            datatype = "BOOL"
        elif kinds <= {int}:
            datatype = "INT64"
        elif kinds <= {int, float}:
            datatype = "FP64"
        else:
            datatype = "BYTES"
        data = [str(v) for v in values] if datatype == "BYTES" else list(values)
        inputs.append({"name": name, "shape": [len(values)], "datatype": datatype, "data": data})
    return {"id": "allmende-evaluation", "inputs": inputs}


async def _infer(app: Any, name: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kserve.invalid", timeout=600) as http:
        ready = await http.get(f"/v2/models/{name}/ready")
        if ready.status_code != 200:
            raise AllmendeError(f"KServe reports model {name} not ready ({ready.status_code}: {ready.text[:200]})")
        response = await http.post(f"/v2/models/{name}/infer", json=body)
    if response.status_code != 200:
        raise AllmendeError(
            f"KServe could not run {name} on the dataset ({response.status_code}): {response.text[:300]}",
            fix="check that the dataset's columns are the model's inputs",
        )
    result: dict[str, Any] = response.json()
    return result


def predict(model: Any, columns: Mapping[str, Sequence[Any]]) -> list[Any]:
    """Send the columns through KServe's V2 `infer` endpoint; the model's predictions."""
    result = asyncio.run(_infer(application(model), model.name, v2_request(columns)))
    outputs = result.get("outputs") or []
    if not outputs:
        raise AllmendeError(f"KServe returned no outputs for {model.name}")
    data: list[Any] = list(outputs[0]["data"])
    return data
