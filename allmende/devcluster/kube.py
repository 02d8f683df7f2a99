"""Talking to the dev cluster's API: health, fake nodes, CRDs (Python `kubernetes` client)."""

from __future__ import annotations

import hashlib
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from allmende.devcluster.models import FAKE_NODE_ANNOTATION, FAKE_NODE_VALUE, FakeNode
from allmende.devcluster.pki import Pki
from allmende.errors import AllmendeError

# libyaml's loader reads the ~5 MB of operator CRDs in about a second; the pure-Python one needs ~50 s.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def api_client(kubeconfig: Path) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(kubeconfig))


def wait_for(what: str, check: Callable[[], bool], timeout: float, interval: float = 0.5) -> bool:
    """Poll `check` until it is true or `timeout` seconds passed; never raises from `check`'s errors."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except (OSError, ApiException, urllib.error.URLError, ValueError):
            pass
        time.sleep(interval)
    return False


def http_ok(url: str, pki: Pki | None = None) -> bool:
    """GET `url` (with the admin client certificate for https) and say whether it answered 200 `ok`."""
    context = None
    if url.startswith("https://") and pki is not None:
        context = ssl.create_default_context(cafile=str(pki.ca_cert))
        context.load_cert_chain(str(pki.admin_cert), str(pki.admin_key))
    with urllib.request.urlopen(url, timeout=3, context=context) as response:
        body = response.read().decode(errors="replace")
        return bool(response.status == 200 and ("ok" in body or '"health":"true"' in body))


def node_manifest(node: FakeNode) -> dict[str, Any]:
    """The Node object kwok will manage: fake annotation, the pool's labels and taints, its capacity."""
    labels = {
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "type": "kwok",
        **node.labels,
    }
    resources = node.capacity.as_resources()
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.name,
            "labels": labels,
            "annotations": {FAKE_NODE_ANNOTATION: FAKE_NODE_VALUE, "node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"taints": [t.model_dump() for t in node.taints]},
        "status": {"capacity": resources, "allocatable": resources},
    }


def _is_fake(item: Any) -> bool:
    annotations = item.metadata.annotations or {}
    return bool(annotations.get(FAKE_NODE_ANNOTATION) == FAKE_NODE_VALUE)


def apply_nodes(api: client.ApiClient, nodes: Sequence[FakeNode], timeout: float = 90.0) -> None:
    """Create or update the fake nodes, delete fake nodes not asked for, wait until all are Ready."""
    core = client.CoreV1Api(api)
    wanted = {n.name for n in nodes}
    for existing in core.list_node().items:
        if _is_fake(existing) and existing.metadata.name not in wanted:
            core.delete_node(existing.metadata.name)
    for node in nodes:
        body = node_manifest(node)
        try:
            core.create_node(body)
        except ApiException as error:
            if error.status != 409:
                raise
            patch = {"metadata": body["metadata"], "spec": body["spec"]}
            core.patch_node(node.name, patch)
        core.patch_node_status(node.name, {"status": body["status"]})

    def ready() -> bool:
        for node in nodes:
            conditions = core.read_node_status(node.name).status.conditions or []
            if not any(c.type == "Ready" and c.status == "True" for c in conditions):
                return False
        return True

    if not wait_for("fake nodes Ready", ready, timeout):
        raise AllmendeError(
            f"fake nodes did not become Ready within {timeout:.0f} s: {', '.join(sorted(wanted))}",
            path="kwok",
            fix="look at <state dir>/logs/kwok.log; `allmende dev down` and `allmende dev up` again",
        )


def crd_documents(directories: Sequence[Path]) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition in the YAML files of `directories` (sorted, so the order is stable)."""
    docs: list[dict[str, Any]] = []
    for directory in directories:
        if not directory.is_dir():
            raise AllmendeError(
                "CRD directory not found",
                path=str(directory),
                fix="point ALLMENDE_CRDS_DIR at the directory with the operators' CRDs (default ../shared/crds)",
            )
        files = sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")])
        for file in files:
            for doc in yaml.load_all(file.read_text(encoding="utf-8"), Loader=_LOADER):
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    docs.append({k: v for k, v in doc.items() if k != "status"})
    return docs


def crd_digest(doc: dict[str, Any]) -> str:
    """A stable digest of one CRD document (to skip re-applying an unchanged CRD)."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def apply_crds(
    api: client.ApiClient,
    docs: Sequence[dict[str, Any]],
    applied: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> dict[str, str]:
    """Create or replace the CRDs and wait until each is Established; return {name: digest} applied.

    `applied` is what an earlier call returned: a CRD with the same digest that still exists is
    left alone, so a second `up` does not re-send megabytes of unchanged schemas.
    """
    ext = client.ApiextensionsV1Api(api)
    known = dict(applied or {})
    names = []
    for doc in docs:
        name = doc["metadata"]["name"]
        names.append(name)
        digest = crd_digest(doc)
        try:
            ext.create_custom_resource_definition(doc, _preload_content=False)
        except ApiException as error:
            if error.status != 409:
                raise AllmendeError(f"the API server refused CRD {name}: {error.reason}", path=name) from error
            if known.get(name) != digest:
                current = json.loads(ext.read_custom_resource_definition(name, _preload_content=False).data)
                version = current["metadata"]["resourceVersion"]
                body = {**doc, "metadata": {**doc["metadata"], "resourceVersion": version}}
                ext.replace_custom_resource_definition(name, body, _preload_content=False)
        known[name] = digest

    def established() -> bool:
        for name in names:
            raw = json.loads(ext.read_custom_resource_definition(name, _preload_content=False).data)
            conditions = (raw.get("status") or {}).get("conditions") or []
            if not any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                return False
        return True

    if not wait_for("CRDs Established", established, timeout):
        raise AllmendeError(f"CRDs not Established within {timeout:.0f} s", path=", ".join(names))
    return {name: known[name] for name in names}


def default_service_account_ready(api: client.ApiClient) -> bool:
    """True once the controller manager has created `default/default` (pods need it)."""
    client.CoreV1Api(api).read_namespaced_service_account("default", "default")
    return True
