"""Background processes with pid files: start, check, stop exactly the ones we started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def pid_file(logs: Path, name: str) -> Path:
    return logs / f"{name}.pid"


def log_file(logs: Path, name: str) -> Path:
    return logs / f"{name}.log"


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):  # not our child: its own parent reaps it
        os.waitpid(pid, os.WNOHANG)


def _executable_of(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    _reap(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def read_pid(logs: Path, name: str) -> int | None:
    try:
        return int(pid_file(logs, name).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def running_pid(logs: Path, name: str, executable: Path) -> int | None:
    """The pid of component `name` if it runs *and* is still our `executable` (pids get reused)."""
    pid = read_pid(logs, name)
    if pid is None or not _alive(pid):
        return None
    exe = _executable_of(pid)
    if exe and Path(exe.removesuffix(" (deleted)")) != executable.resolve():
        return None
    return pid


def start(logs: Path, name: str, argv: list[str], env: dict[str, str] | None = None) -> int:
    """Start `argv` detached (own session), output to `<logs>/<name>.log`, pid to `<logs>/<name>.pid`."""
    logs.mkdir(parents=True, exist_ok=True)
    with log_file(logs, name).open("ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=env,
        )
    pid_file(logs, name).write_text(f"{proc.pid}\n")
    return proc.pid


def stop(logs: Path, name: str, executable: Path, grace: float = 15.0) -> bool:
    """Stop component `name` (SIGTERM, then SIGKILL after `grace` s); True if it was running."""
    pid = running_pid(logs, name, executable)
    pid_file(logs, name).unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    while _alive(pid):
        time.sleep(0.05)
    return True
