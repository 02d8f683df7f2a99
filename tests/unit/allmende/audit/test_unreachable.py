"""A cluster that cannot be reached is one clear error (exit 2 in the CLI), not a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from allmende.audit.run import audit
from allmende.errors import AllmendeError

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: {{server: "https://127.0.0.1:{port}", insecure-skip-tls-verify: true}}
users:
- name: someone
  user: {{token: not-a-real-token}}
contexts:
- name: gone
  context: {{cluster: gone, user: someone}}
current-context: gone
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_a_cluster_that_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLMENDE_STATE_DIR", str(tmp_path / "state"))
    config = tmp_path / "kubeconfig"
    config.write_text(KUBECONFIG.format(port=closed_port()), encoding="utf-8")
    with pytest.raises(AllmendeError) as caught:
        audit("science", config)
    assert caught.value.message.startswith("cannot reach the cluster at https://127.0.0.1:")
    assert "connection refused" in caught.value.message
    assert not (tmp_path / "state" / "evidence").exists()  # nothing is recorded


def test_a_missing_kubeconfig_or_context(tmp_path: Path) -> None:
    with pytest.raises(AllmendeError, match="no kubeconfig at"):
        audit("science", tmp_path / "nope")
    config = tmp_path / "kubeconfig"
    config.write_text(KUBECONFIG.format(port=1), encoding="utf-8")
    with pytest.raises(AllmendeError, match="context"):
        audit("science", config, "elsewhere")
