"""Running the built Pulumi engine: its environment and the locally built provider plugins.

The CLI finds `pulumi-language-python` (and its exec script) on PATH, so the bin directory goes
first on PATH. The Kubernetes provider is registered in PULUMI_HOME with `pulumi plugin install
resource kubernetes <version> --file <binary>`, so no Pulumi.yaml needs a machine path; plugin
downloads stay off (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from allmende.errors import AllmendeError
from allmende.toolchain.paths import bin_dir
from allmende.toolchain.status import require_tools
from allmende.versions import TOOLS

ENGINE_TOOLS = ("pulumi", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-kubernetes")


def engine_env(
    backend_dir: Path,
    pulumi_home: Path,
    passphrase: str,
    kubeconfig: Path | None = None,
    python: Path | None = None,
) -> dict[str, str]:
    """Environment for `pulumi` runs: built tools first on PATH, a file:// backend, passphrase secrets.

    `python` is the interpreter for programs whose Pulumi.yaml names no virtualenv (PULUMI_PYTHON_CMD).
    """
    require_tools(ENGINE_TOOLS)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    env["PULUMI_HOME"] = str(pulumi_home)
    env["PULUMI_BACKEND_URL"] = backend_dir.resolve().as_uri()
    env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"] = "true"
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    if python is not None:
        env["PULUMI_PYTHON_CMD"] = str(python)
    return env


def kubernetes_plugin_version() -> str:
    """The version the built provider reports (and the PyPI pulumi-kubernetes must have)."""
    return TOOLS["pulumi-kubernetes-release"].version


def install_provider_plugins(env: dict[str, str]) -> Path:
    """Register the built Kubernetes provider in `env`'s PULUMI_HOME (idempotent); return its plugin dir."""
    version = kubernetes_plugin_version()
    home = Path(env["PULUMI_HOME"])
    plugin_dir = home / "plugins" / f"resource-kubernetes-{version}"
    binary = bin_dir() / "pulumi-resource-kubernetes"
    installed = plugin_dir / "pulumi-resource-kubernetes"
    if installed.is_file() and installed.stat().st_size == binary.stat().st_size:
        return plugin_dir
    proc = subprocess.run(
        ["pulumi", "plugin", "install", "resource", "kubernetes", version, "--file", str(binary), "--reinstall"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise AllmendeError(
            f"could not register the built Kubernetes provider with Pulumi: {proc.stderr.strip() or proc.stdout}",
            path=str(home),
            fix="run `allmende tools build`, then retry",
        )
    return plugin_dir
