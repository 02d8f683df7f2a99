"""Running the go command for a build: one environment, logs to a file, errors for people."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from allmende.errors import AllmendeError

_NOT_SERVED = re.compile(
    r"([\w.~/-]+@v[\w.+-]+): reading \S+: 403 Forbidden(?:\\n|\\t|\s)*server response: ([^\n\"\\]+)"
)
HEARTBEAT_SECONDS = 60.0
_GO_VERSION = re.compile(r"go(\d+)\.(\d+)(?:\.(\d+))?")


class DownloadedModule(BaseModel):
    """What `go mod download -json` says about one module version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dir: Path
    go_mod: Path


def go_binary() -> str:
    """The go command, or an error that says how to get one."""
    found = shutil.which("go")
    if not found:
        raise AllmendeError(
            "the Go toolchain is not installed (no `go` on PATH)",
            path="allmende tools build",
            fix="install Go >= 1.26 (Debian: `apt-get install golang-go`, or put its bin/ on PATH)",
        )
    return found


def go_env() -> dict[str, str]:
    """The environment of every go command: the machine's, with flags that keep builds offline-safe."""
    env = dict(os.environ)
    env["GOTOOLCHAIN"] = env.get("GOTOOLCHAIN") or "local"  # never fetch a toolchain unasked
    env["GOFLAGS"] = "-mod=mod -buildvcs=false"
    return env


def go_version() -> tuple[int, int, int]:
    """The version of the go command on PATH."""
    out = subprocess.run(
        [go_binary(), "env", "GOVERSION"], capture_output=True, text=True, env=go_env(), check=False
    ).stdout
    match = _GO_VERSION.search(out)
    if not match:
        raise AllmendeError(f"cannot read the Go version (`go env GOVERSION` said {out.strip()!r})")
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def go_path_value(name: str) -> Path:
    """A path-valued go env setting (GOMODCACHE, GOCACHE)."""
    out = subprocess.run(
        [go_binary(), "env", name], capture_output=True, text=True, env=go_env(), check=True
    ).stdout.strip()
    return Path(out)


def explain_failure(command: str, output: str, log: Path) -> AllmendeError:
    """Turn a failed go command into a message that names the cause."""
    refused = _NOT_SERVED.search(output)
    if refused:
        return AllmendeError(
            f"the Go module proxy does not serve {refused.group(1)} ({refused.group(2).strip()})",
            path=str(log),
            fix="pin a version the proxy serves in allmende/versions.py (TOOLS) and run `allmende tools build` again",
        )
    if "dial tcp" in output or "no such host" in output or "connection refused" in output:
        return AllmendeError(
            "the Go module proxy cannot be reached",
            path=str(log),
            fix="check the network and GOPROXY (`go env GOPROXY`), then run `allmende tools build` again",
        )
    if "no space left on device" in output:
        return AllmendeError(
            "the disk is full",
            path=str(log),
            fix="free space where the Go caches live (`go env GOMODCACHE GOCACHE`) and the tools cache, then retry",
        )
    tail = "\n".join(output.strip().splitlines()[-12:])
    return AllmendeError(f"`{command}` failed:\n{tail}", path=str(log), fix="read the log named above")


def run_go(
    args: list[str],
    cwd: Path,
    log: Path,
    extra_env: dict[str, str] | None = None,
    heartbeat: Callable[[float], None] | None = None,
) -> str:
    """Run `go <args>` in `cwd`, appending its output to `log`; raise a clear error when it fails.

    `heartbeat(elapsed_seconds)` is called every minute while the command runs (long compiles).
    """
    env = go_env()
    env.update(extra_env or {})
    command = "go " + " ".join(args)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {command}\n")
        handle.flush()
        start = log.stat().st_size
        began = time.monotonic()
        proc = subprocess.Popen([go_binary(), *args], cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT)
        while True:
            try:
                proc.wait(timeout=HEARTBEAT_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if heartbeat is not None:
                    heartbeat(time.monotonic() - began)
    with log.open("r", encoding="utf-8", errors="replace") as handle:
        handle.seek(start)
        output = handle.read()
    if proc.returncode != 0:
        raise explain_failure(command, output, log)
    return output


def download_module(module: str, version: str, cwd: Path, log: Path) -> DownloadedModule:
    """Download one module version into the module cache and say where it is."""
    out = run_go(["mod", "download", "-json", f"{module}@{version}"], cwd, log, {"GOFLAGS": "-buildvcs=false"})
    data = json.loads(out[out.index("{") : out.rindex("}") + 1])
    if data.get("Error"):
        raise explain_failure(f"go mod download {module}@{version}", str(data["Error"]), log)
    return DownloadedModule(dir=Path(data["Dir"]), go_mod=Path(data["GoMod"]))
