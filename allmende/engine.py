"""Running the real Pulumi engine on the stacks project: the CLI built by the toolchain, a local
`file://` backend, passphrase secrets, no plugin downloads, the locally built provider.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from allmende.blueprints.loader import stacks_dir
from allmende.devpaths import project_root, state_dir
from allmende.errors import AllmendeError

DEV_PASSPHRASE = "allmende-local-development-only"  # development only: real stacks bring their own
ENGINE_TOOLS = ("pulumi", "pulumi-language-python", "pulumi-resource-kubernetes")


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def engine_env(state: Path | None = None) -> dict[str, str]:
    from allmende.toolchain import bin_dir, require_tools

    require_tools(ENGINE_TOOLS)
    state = state or state_dir()
    state.mkdir(parents=True, exist_ok=True)
    home = state.parent / "pulumi-home"
    home.mkdir(parents=True, exist_ok=True)
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ)
    env.update(
        {
            "PATH": os.pathsep.join([str(bin_dir()), str(venv_bin), env.get("PATH", "")]),
            "PULUMI_BACKEND_URL": f"file://{state}",
            "PULUMI_HOME": str(home),
            "PULUMI_CONFIG_PASSPHRASE": env.get("ALLMENDE_DEV_PASSPHRASE", DEV_PASSPHRASE),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "ALLMENDE_PROJECT_ROOT": str(project_root()),
            "PULUMI_PYTHON_CMD": sys.executable,
            # `pulumi up --refresh` takes back fields someone changed by hand (drift repair)
            "PULUMI_K8S_ENABLE_PATCH_FORCE": "true",
        }
    )
    env.pop("PULUMI_ACCESS_TOKEN", None)
    return env


def pulumi(
    args: Sequence[str],
    *,
    stack: str | None = None,
    cwd: Path | None = None,
    state: Path | None = None,
    capture: bool = False,
    timeout: float | None = None,
) -> Result:
    """Run `pulumi <args>` in the stacks project; output streams to the terminal unless captured."""
    command = ["pulumi", *args, "--non-interactive"]
    if stack is not None:
        command += ["--stack", stack]
    try:
        done = subprocess.run(
            command,
            cwd=cwd or stacks_dir(),
            env=engine_env(state),
            capture_output=capture,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise AllmendeError("the Pulumi CLI is missing", fix="run `allmende tools build`") from None
    return Result(done.returncode, done.stdout or "", done.stderr or "")


def ensure_stack(stack: str, *, state: Path | None = None, cwd: Path | None = None) -> None:
    """Select the stack in the local backend, creating it (passphrase secrets) the first time."""
    selected = pulumi(["stack", "select", stack], cwd=cwd, state=state, capture=True)
    if selected.code == 0:
        return
    created = pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"], cwd=cwd, state=state, capture=True)
    if created.code != 0:
        raise AllmendeError(f"cannot create the Pulumi stack {stack!r}: {created.stderr.strip()}")


def checked(result: Result, what: str) -> Result:
    if result.code != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise AllmendeError(f"{what} failed (exit {result.code})\n{tail}", fix="read the output above")
    return result
