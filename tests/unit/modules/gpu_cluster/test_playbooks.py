"""The real playbooks through ansible-runner against this machine (connection local, no GPU).

preflight runs for real (it only reads); prepare and join run in --check mode with variables
pointing at an unreachable mirror (127.0.0.1:9), so each run must reach — and stop at — the task
that first talks to the mirror, or skip the GPU tasks when the GPU Operator brings the driver.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from allmende.errors import AllmendeError
from allmende.modules.gpu_cluster.ansible_runner import PLAYBOOK_DIR, RunResult, ansible_bin, run_playbook

MIRROR = "https://127.0.0.1:9"  # nothing listens on the discard port: refused at once
TOKEN = "fake-join-token-7f3a9c1e5b2d4a6f"
SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake-ssh-key-c0ffee-5eed-b16b00b5\n-----END OPENSSH PRIVATE KEY-----\n"
K3S_CONFIG = Path("/etc/rancher/k3s/config.yaml")
JOIN_VARIABLES = {
    "artifact_base_url": f"{MIRROR}/k3s/v1.36.2+k3s1",
    "distribution": "k3s",
    "first_server": "gpu-host",
    "install_url": f"{MIRROR}/k3s/v1.36.2+k3s1/install.sh",
    "server_url": "https://10.20.0.10:6443",
}


def _local(expect_gpus: int) -> dict[str, Any]:
    return {
        "ansible_become": False,  # this machine runs the tests as root and has no sudo
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "expect_gpus": expect_gpus,
    }


def _inventory(agents: dict[str, Any] | None = None) -> dict[str, Any]:
    servers = {"gpu-host": _local(1)}
    return {"all": {"children": {"servers": {"hosts": servers}, "agents": {"hosts": agents or {}}}}}


def _stat(path: Path) -> tuple[bool, float]:
    return (path.exists(), path.stat().st_mtime if path.exists() else 0.0)


def _events(data_dir: Path, ident: str) -> list[dict[str, Any]]:
    folder = data_dir / "artifacts" / ident / "job_events"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def _outcomes(data_dir: Path, ident: str) -> dict[str, str]:
    """task name -> the last runner_on_* outcome (ok, failed, skipped)."""
    out: dict[str, str] = {}
    for event in _events(data_dir, ident):
        kind = event.get("event", "")
        if kind.startswith("runner_on_") and kind != "runner_on_start":
            out[event["event_data"]["task"]] = kind.removeprefix("runner_on_")
    return out


def test_ansible_playbook_is_installed() -> None:
    assert (ansible_bin() / "ansible-playbook").exists(), "install allmende[bare-metal] into this venv"


def test_playbooks_pass_syntax_check_and_list_their_tasks(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.json"
    inventory.write_text(json.dumps(_inventory()))
    env = {**os.environ, "PATH": f"{ansible_bin()}{os.pathsep}{os.environ.get('PATH', '')}", "ANSIBLE_NOCOLOR": "1"}
    books = [str(PLAYBOOK_DIR / f"{p}.yml") for p in ("preflight", "prepare", "join")]
    checked = subprocess.run(
        ["ansible-playbook", "--syntax-check", "-i", str(inventory), *books],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = subprocess.run(
        ["ansible-playbook", "--list-tasks", "-i", str(inventory), books[2]],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    for task in ("Write the join configuration", "Download the installer", "Run the installer without internet access"):
        assert task in listed.stdout  # the imported task file is part of the check


@pytest.fixture(scope="module")
def preflight(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    data_dir = tmp_path_factory.mktemp("preflight")
    inventory = _inventory(agents={"cpu-host": _local(0)})
    return run_playbook("preflight", inventory, {"min_free_disk_gb": 1}, data_dir=data_dir), data_dir


def test_preflight_reports_every_check_per_host(preflight: tuple[RunResult, Path]) -> None:
    result, _ = preflight
    assert set(result.hosts) == {"cpu-host", "gpu-host"}
    for outcome in result.hosts.values():
        assert outcome.report is not None
        checks = outcome.report["checks"]
        assert set(checks) == {
            "cgroup_v2",
            "container_runtime",
            "driver",
            "free_disk",
            "gpus",
            "kernel",
            "swap_off",
            "time_sync",
        }
        assert checks["kernel"]["value"] == platform.release()
        free_gb = float(checks["free_disk"]["value"].split()[0])
        assert free_gb > 1 and checks["free_disk"]["ok"] is True
        assert checks["driver"] == {"ok": False, "required": False, "value": "nvidia-smi not available"}


def test_preflight_fails_the_gpu_check_on_a_machine_without_gpus(preflight: tuple[RunResult, Path]) -> None:
    result, _ = preflight
    gpu = result.hosts["gpu-host"].report
    cpu = result.hosts["cpu-host"].report
    assert gpu is not None and cpu is not None
    assert gpu["checks"]["gpus"] == {"ok": False, "required": True, "value": "0 NVIDIA GPU(s) found, 1 expected"}
    assert "gpus" in gpu["failed"]
    assert cpu["checks"]["gpus"]["required"] is False and "gpus" not in cpu["failed"]


def test_preflight_stops_a_failing_host_with_its_task(preflight: tuple[RunResult, Path]) -> None:
    result, _ = preflight
    host = result.hosts["gpu-host"]
    assert (host.ok, host.failed_task) == (False, "Preflight verdict")
    assert "gpus" in host.message
    with pytest.raises(AllmendeError) as caught:
        result.raise_for_failures()
    assert "gpu-host: task 'Preflight verdict'" in caught.value.message


def test_preflight_changes_nothing(preflight: tuple[RunResult, Path]) -> None:
    _, data_dir = preflight
    changed = [e for e in _events(data_dir, "preflight") if e.get("event_data", {}).get("res", {}).get("changed")]
    assert changed == []


def test_prepare_check_goes_to_the_institutions_mirror(tmp_path: Path) -> None:
    variables = {"container_toolkit": "host", "gpu_driver": "host", "package_mirror": f"{MIRROR}/debian"}
    result = run_playbook("prepare", _inventory(), variables, check=True, data_dir=tmp_path)
    host = result.hosts["gpu-host"]
    assert host.failed_task == "Fetch the package mirror's signing key", host.message
    assert "Connection refused" in host.message
    outcomes = _outcomes(tmp_path, "prepare")
    assert outcomes["Kernel settings for Kubernetes networking"] == "ok"
    assert "Install the GPU driver" not in outcomes


def test_prepare_check_skips_gpu_packages_the_operator_brings(tmp_path: Path) -> None:
    variables = {"container_toolkit": "operator", "gpu_driver": "operator", "package_mirror": f"{MIRROR}/debian"}
    result = run_playbook("prepare", _inventory(), variables, check=True, data_dir=tmp_path)
    assert result.status == "successful" and result.failures() == []
    outcomes = _outcomes(tmp_path, "prepare")
    for task in (
        "Fetch the package mirror's signing key",
        "Install the GPU driver",
        "Install the NVIDIA container toolkit",
    ):
        assert outcomes[task] == "skipped"
    assert outcomes["Load the kernel modules container networking needs at boot"] == "ok"


@pytest.fixture(scope="module")
def join(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    data_dir = tmp_path_factory.mktemp("join")
    before = _stat(K3S_CONFIG)
    result = run_playbook(
        "join", _inventory(), JOIN_VARIABLES, {"join_token": TOKEN}, SSH_KEY, check=True, data_dir=data_dir
    )
    assert _stat(K3S_CONFIG) == before  # --check wrote nothing
    return result, data_dir


def test_join_check_writes_config_then_stops_at_the_installer_download(join: tuple[RunResult, Path]) -> None:
    result, data_dir = join
    host = result.hosts["gpu-host"]
    assert host.failed_task == "Download the installer" and "Connection refused" in host.message
    outcomes = _outcomes(data_dir, "join")
    assert outcomes["Join token and installer are given"] == "ok"
    assert outcomes["Write the join configuration"] == "ok"
    (written,) = [
        e
        for e in _events(data_dir, "join")
        if e["event"] == "runner_on_ok" and e["event_data"]["task"] == "Write the join configuration"
    ]
    assert "censored" in written["event_data"]["res"]  # the task that holds the token does not log


def test_join_without_a_token_stops_before_anything_else_and_leaves_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = run_playbook("join", _inventory(), JOIN_VARIABLES, check=True)
    assert result.hosts["gpu-host"].failed_task == "Join token and installer are given"
    assert list(tmp_path.iterdir()) == []  # the private data dir and secret files are gone


def test_secrets_never_reach_artifacts_or_output(
    join: tuple[RunResult, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    result, data_dir = join
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    text = "\n".join(p.read_text(errors="replace") for p in files) + result.stdout_tail + capfd.readouterr().out
    # The token reached Ansible (its assertion passed; without a token it fails, see above) and
    # the scan sees what the tasks handled — yet neither secret is anywhere.
    assert _outcomes(data_dir, "join")["Join token and installer are given"] == "ok"
    assert JOIN_VARIABLES["install_url"] in text
    assert any(p.name == "stdout" for p in files) and len(list((data_dir / "artifacts").rglob("*.json"))) > 5
    for secret in (TOKEN, "fake-ssh-key-c0ffee-5eed-b16b00b5"):
        assert secret not in text
    command = json.loads((data_dir / "artifacts" / "join" / "command").read_text())["command"]
    secret_files = [arg.removeprefix("@") for arg in command if "allmende-secrets-" in arg]
    assert len(secret_files) == 2 and not any(Path(f).exists() for f in secret_files)
