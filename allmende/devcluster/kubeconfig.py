"""The kubeconfig of the dev cluster: self-contained (certificates embedded), context `allmende-dev`."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from allmende.devcluster.pki import Pki

CONTEXT = "allmende-dev"


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def render_kubeconfig(server: str, pki: Pki) -> str:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": CONTEXT, "cluster": {"server": server, "certificate-authority-data": _b64(pki.ca_cert)}},
        ],
        "users": [
            {
                "name": "allmende-admin",
                "user": {
                    "client-certificate-data": _b64(pki.admin_cert),
                    "client-key-data": _b64(pki.admin_key),
                },
            },
        ],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": "allmende-admin"}}],
        "current-context": CONTEXT,
    }
    return yaml.safe_dump(config, sort_keys=False)


def write_kubeconfig(path: Path, server: str, pki: Pki) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render_kubeconfig(server, pki), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
