"""Access to an MLflow registry, with one clear message when it cannot be reached or refuses us.

Where and as whom come from the environment, as for every MLflow client:
`MLFLOW_TRACKING_URI` and, for a registry with basic auth, `MLFLOW_TRACKING_USERNAME` /
`MLFLOW_TRACKING_PASSWORD`. `connect()` probes the server once (reachable? credentials
accepted?) before any command changes anything.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from allmende.errors import AllmendeError
from allmende.models import tags as t
from allmende.models.card import parse
from allmende.models.checks import Facts
from allmende.models.digest import tree_sha256

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion
    from mlflow.tracking import MlflowClient

PROBE_TIMEOUT_S = 10
CREDENTIALS_FIX = "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD to an account of this registry"


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if not uri:
        raise AllmendeError(
            "MLFLOW_TRACKING_URI is not set: which registry?",
            fix="export MLFLOW_TRACKING_URI=https://mlflow.example.org (and the username/password variables)",
        )
    if not uri.startswith(("http://", "https://")):
        raise AllmendeError(
            f"MLFLOW_TRACKING_URI {uri!r} is not an MLflow server",
            fix="point it at the registry's http(s):// address; a local folder or database has no approvals",
        )
    return uri.rstrip("/")


def probe(uri: str) -> None:
    """Fail with one message when the server is down or refuses the credentials."""
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    password = os.environ.get("MLFLOW_TRACKING_PASSWORD")
    auth = (user, password) if user and password else None
    try:
        response = requests.get(
            f"{uri}/api/2.0/mlflow/registered-models/search",
            params={"max_results": 1},
            auth=auth,
            timeout=PROBE_TIMEOUT_S,
        )
    except requests.ConnectionError:
        raise AllmendeError(
            f"cannot reach the MLflow registry at {uri}: connection refused or no route",
            fix="check MLFLOW_TRACKING_URI and that the registry is running (kubectl -n <registry namespace> get pods)",
        ) from None
    except requests.Timeout:
        raise AllmendeError(
            f"the MLflow registry at {uri} did not answer within {PROBE_TIMEOUT_S} s", fix="check the server's health"
        ) from None
    if response.status_code == 401:
        who = f"user {user!r}" if auth else "no credentials"
        raise AllmendeError(
            f"the MLflow registry at {uri} refused {who} (wrong username or password)", fix=CREDENTIALS_FIX
        )
    if response.status_code == 403:
        raise AllmendeError(
            f"the MLflow registry at {uri} denied {user!r} access ({response.text.strip()[:120]})",
            fix="ask a registry admin for permission, or use another account",
        )
    if response.status_code != 200:
        raise AllmendeError(
            f"the MLflow registry at {uri} answered {response.status_code}: {response.text.strip()[:200]}",
            fix="check that MLFLOW_TRACKING_URI is the MLflow server itself",
        )


def _message(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return str(text).strip().splitlines()[0][:300]


@contextmanager
def registry_errors(what: str) -> Iterator[None]:
    """MLflow exceptions become one AllmendeError naming what we were doing."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        code = getattr(exc, "error_code", "")
        if code == "RESOURCE_DOES_NOT_EXIST":
            raise AllmendeError(
                f"{what}: not found in the registry ({_message(exc)})", fix="check name and version"
            ) from None
        if code in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
            raise AllmendeError(f"{what}: the registry denied it ({_message(exc)})", fix=CREDENTIALS_FIX) from None
        raise AllmendeError(f"{what}: {_message(exc)}") from None
    except requests.RequestException as exc:
        raise AllmendeError(f"{what}: the registry stopped answering ({_message(exc)})", fix="retry later") from None


class Registry:
    """The registry operations the lifecycle commands need, and nothing else."""

    def __init__(self, uri: str) -> None:
        from mlflow.tracking import MlflowClient

        self.uri = uri
        self.client: MlflowClient = MlflowClient(tracking_uri=uri, registry_uri=uri)
        self.account = os.environ.get("MLFLOW_TRACKING_USERNAME", "")

    def version(self, name: str, version: str) -> ModelVersion:
        with registry_errors(f"model {name!r} version {version}"):
            return self.client.get_model_version(name, version)

    def by_alias(self, name: str, alias: str) -> ModelVersion:
        with registry_errors(f"model {name!r} alias {alias!r}"):
            return self.client.get_model_version_by_alias(name, alias)

    def aliases(self, name: str) -> dict[str, str]:
        with registry_errors(f"model {name!r}"):
            return dict(self.client.get_registered_model(name).aliases)

    def set_tags(self, name: str, version: str, values: dict[str, str]) -> None:
        with registry_errors(f"tagging model {name!r} version {version}"):
            for key in sorted(values):
                self.client.set_model_version_tag(name, version, key, values[key])

    def delete_tag(self, name: str, version: str, key: str) -> None:
        with registry_errors(f"untagging model {name!r} version {version}"):
            self.client.delete_model_version_tag(name, version, key)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        with registry_errors(f"setting alias {alias!r} of model {name!r}"):
            self.client.set_registered_model_alias(name, alias, version)

    def artifact_uri(self, name: str, version: str) -> str:
        with registry_errors(f"artifacts of model {name!r} version {version}"):
            return str(self.client.get_model_version_download_uri(name, version))

    def download(self, artifact_uri: str, into: Path) -> Path:
        from mlflow.artifacts import download_artifacts

        with registry_errors(f"downloading {artifact_uri}"):
            return Path(download_artifacts(artifact_uri=artifact_uri, dst_path=str(into)))

    def artifacts_checksum(self, name: str, version: str) -> str:
        with tempfile.TemporaryDirectory(prefix="allmende-artifacts-") as tmp:
            return tree_sha256(self.download(self.artifact_uri(name, version), Path(tmp)))

    def facts(self, name: str, version: str) -> Facts:
        """The version's tags and its model card, for the checks."""
        tags = dict(self.version(name, version).tags)
        card_uri = tags.get(t.MODEL_CARD)
        if not card_uri:
            return Facts(tags=tags)
        try:
            with tempfile.TemporaryDirectory(prefix="allmende-card-") as tmp:
                text = self.download(card_uri, Path(tmp)).read_text(encoding="utf-8")
        except (AllmendeError, OSError, UnicodeDecodeError) as exc:
            problem = exc.message if isinstance(exc, AllmendeError) else str(exc)
            return Facts(tags=tags, card_problem=problem)
        try:
            card = parse(text, card_uri)
        except AllmendeError as exc:
            return Facts(tags=tags, card_problem=exc.message)
        return Facts(tags=tags, card=card)


def connect() -> Registry:
    """The registry named by the environment, after checking it answers and accepts us."""
    uri = tracking_uri()
    probe(uri)
    # Fail within seconds, not minutes, when the server goes away mid-command.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")  # our output is the summary
    return Registry(uri)


def utc_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
