"""Reading the cluster: read-only lists of the kinds the Plan contains, the nodes and the pods.

Uses the official `kubernetes` client and nothing but GET (plus a SelfSubjectReview, which only
asks the cluster who we are). A cluster that cannot be reached, or refuses the credentials, is
one AllmendeError; a kind the credentials may not read is recorded as unreadable, and its
controls become "could not check".
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from allmende.audit.snapshot import Cluster, Manifest, Snapshot, kind_info, type_key
from allmende.errors import AllmendeError

TIMEOUT_S = 10
WORKERS = 6
ALWAYS = (("v1", "Node", "nodes", False),)
CONNECT_FIX = "check that the cluster is running and that --kubeconfig/--context name it (kubectl cluster-info)"


def connect(kubeconfig: Path, context: str | None) -> tuple[client.ApiClient, str]:
    """An API client for the kubeconfig's context, and the context's name."""
    if not kubeconfig.is_file():
        raise AllmendeError(
            f"no kubeconfig at {kubeconfig}",
            fix="name one with --kubeconfig, or start the local cluster with `allmende dev up`",
        )
    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=str(kubeconfig), context=context, client_configuration=configuration)
        _, active = config.list_kube_config_contexts(config_file=str(kubeconfig))
    except (ConfigException, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AllmendeError(f"{kubeconfig}: {first}", fix="name an existing context with --context") from None
    configuration.retries = 1
    name = context or (active or {}).get("name", "")
    return client.ApiClient(configuration), str(name)


def _path(api_version: str, plural: str) -> str:
    return f"/api/{api_version}/{plural}" if "/" not in api_version else f"/apis/{api_version}/{plural}"


def get(api: client.ApiClient, path: str, query: list[tuple[str, str]] | None = None) -> Any:
    """GET a path as plain JSON; the cluster's absence becomes one AllmendeError."""
    server = api.configuration.host
    try:
        return api.call_api(
            path,
            "GET",
            query_params=query or [],
            header_params={"Accept": "application/json"},
            response_types_map={200: "object"},
            auth_settings=["BearerToken"],
            _return_http_data_only=True,
            _request_timeout=TIMEOUT_S,
        )
    except urllib3.exceptions.HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise AllmendeError(f"cannot reach the cluster at {server}: {_short(reason)}", fix=CONNECT_FIX) from None
    except ApiException as exc:
        if exc.status == 401:
            raise AllmendeError(
                f"the cluster at {server} refused the credentials (401 Unauthorized)",
                fix="use a kubeconfig whose user is bound to the allmende-auditor role (docs/auditors.md)",
            ) from None
        raise


def _short(reason: object) -> str:
    text = str(reason)
    for marker in ("Connection refused", "timed out", "Name or service not known", "No route to host"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:160]


def whoami(api: client.ApiClient) -> str:
    """The user name the cluster sees (SelfSubjectReview); empty when the cluster does not say."""
    try:
        review = client.AuthenticationV1Api(api).create_self_subject_review(
            body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
            _request_timeout=TIMEOUT_S,
        )
    except (ApiException, urllib3.exceptions.HTTPError, ValueError):
        return ""
    info = getattr(getattr(review, "status", None), "user_info", None)
    return str(getattr(info, "username", "") or "")


def types_of(planned: Iterable[Manifest]) -> list[tuple[str, str, str, bool]]:
    """(apiVersion, kind, plural, namespaced) of every planned kind, the nodes and the pods."""
    found = {(str(o["apiVersion"]), str(o["kind"])): kind_info(o) for o in planned if o["kind"] != "Secret"}
    found[("v1", "Pod")] = ("pods", True)
    out = {(v, k, p, n) for (v, k), (p, n) in found.items()}
    out |= set(ALWAYS)
    return sorted(out)


def _list(api: client.ApiClient, api_version: str, kind: str, plural: str) -> tuple[list[Manifest], str | None]:
    try:
        answer = get(api, _path(api_version, plural))
    except ApiException as exc:
        if exc.status == 403:
            return [], f"the audit's credentials may not list {plural} ({api_version}); grant the allmende-auditor role"
        if exc.status == 404:
            return [], f"the cluster does not serve {kind} ({api_version}): is its operator or CRD installed?"
        return [], f"listing {plural} failed: {exc.status} {exc.reason}"
    items = [{**item, "apiVersion": api_version, "kind": kind} for item in (answer or {}).get("items", [])]
    items.sort(key=lambda o: (str(o["metadata"].get("namespace", "")), str(o["metadata"]["name"])))
    return items, None


def snapshot(api: client.ApiClient, context: str, planned: list[Manifest]) -> Snapshot:
    """Everything the checks read, in one pass; the lists are fetched in parallel."""
    version = get(api, "/version")
    cluster = Cluster(
        server=str(api.configuration.host),
        context=context,
        version=str((version or {}).get("gitVersion", "")),
        user=whoami(api),
    )
    kinds = types_of(planned)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        listed = list(pool.map(lambda t: _list(api, t[0], t[1], t[2]), kinds))
    objects: dict[str, list[Manifest]] = {}
    unreadable: dict[str, str] = {}
    for (api_version, kind, _, _), (items, why) in zip(kinds, listed, strict=True):
        key = type_key(api_version, kind)
        if why is None:
            objects[key] = items
        else:
            unreadable[key] = why
    return Snapshot(cluster=cluster, objects=objects, unreadable=unreadable)
