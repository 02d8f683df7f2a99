"""Run one of the module's playbooks through ansible-runner and report per host.

Each run gets a private data dir (0700; removed afterwards unless the caller passes its own)
holding a copy of the playbooks, the inventory and the non-secret variables. Secrets — the
SSH private key and playbook variables such as the join token — are written to 0600 files in a
separate 0700 temp dir that is removed when the run ends, so they never reach the data dir or
its artifacts; the tasks that use them do not log. ansible-playbook gets a small environment
(not this process's), so nothing else of ours (e.g. PULUMI_CONFIG_PASSPHRASE) is recorded.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from allmende.errors import AllmendeError

PLAYBOOK_DIR = Path(__file__).resolve().parent / "ansible"
# Inherited from the caller's environment; everything else is left behind.
INHERIT = ("HOME", "LANG", "LC_ALL", "LC_CTYPE", "LOGNAME", "TMPDIR", "TZ", "USER")
REPORT_TASK = "Preflight report"
DEFAULT_TIMEOUT = 3600


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HostResult(Frozen):
    host: str
    ok: bool
    unreachable: bool = False
    failed_task: str | None = None
    message: str = ""
    report: dict[str, Any] | None = None


class RunResult(Frozen):
    playbook: str
    status: str
    rc: int
    hosts: dict[str, HostResult]
    stdout_tail: str = ""

    def failures(self) -> list[HostResult]:
        return [h for _, h in sorted(self.hosts.items()) if not h.ok]

    def raise_for_failures(self) -> None:
        """An AllmendeError naming every failing host and its failing task."""
        failed = self.failures()
        if failed:
            lines = [
                f"{h.host}: {'unreachable' if h.unreachable else 'task'} {h.failed_task!r}: {h.message}" for h in failed
            ]
            raise AllmendeError(
                f"the {self.playbook} playbook failed on {len(failed)} host(s):\n  " + "\n  ".join(lines),
                path="cluster.bare_metal.hosts",
                fix="fix the host(s) named above (or remove them from the blueprint) and run again",
            )
        if self.status != "successful":
            raise AllmendeError(
                f"the {self.playbook} playbook ended {self.status} (rc {self.rc}) without a failing host:\n"
                f"{self.stdout_tail}",
                fix="see the ansible output above",
            )


def ansible_bin() -> Path:
    """The folder holding ansible-playbook: this interpreter's, else the one on PATH."""
    here = Path(sys.executable).parent
    if (here / "ansible-playbook").exists():
        return here
    found = shutil.which("ansible-playbook")
    if found is None:
        raise AllmendeError(
            "ansible-playbook is not installed",
            fix="install the bare-metal extra: pip install 'allmende[bare-metal]'",
        )
    return Path(found).parent


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


@contextmanager
def _secret_files(secrets: Mapping[str, str], ssh_key: str | None) -> Iterator[list[str]]:
    """Command-line arguments pointing at 0600 files that exist only for the run."""
    folder = Path(tempfile.mkdtemp(prefix="allmende-secrets-"))
    try:
        args: list[str] = []
        if secrets:
            _write_private(folder / "vars.json", json.dumps(dict(secrets)))
            args += ["--extra-vars", f"@{folder / 'vars.json'}"]
        if ssh_key:
            _write_private(folder / "ssh_key", ssh_key if ssh_key.endswith("\n") else ssh_key + "\n")
            args += ["--private-key", str(folder / "ssh_key")]
        yield args
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _environment(root: Path, runner_env: Mapping[str, str]) -> dict[str, str]:
    """The runner's own settings plus a few inherited variables; no other caller variables."""
    inherited = os.environ
    env = {k: v for k, v in runner_env.items() if k in INHERIT or inherited.get(k) != v}
    env.update(
        {
            "PATH": f"{ansible_bin()}{os.pathsep}{inherited.get('PATH', os.defpath)}",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "True",  # the runner turns it off; new hosts: accept-new (inventory)
            "ANSIBLE_LOCAL_TEMP": str(root / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_NO_TARGET_SYSLOG": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
        }
    )
    return env


def _results(playbook: str, runner: Any) -> RunResult:
    stats: dict[str, dict[str, int]] = runner.stats or {}
    hosts = {h for counts in stats.values() if isinstance(counts, dict) for h in counts}
    failed: dict[str, tuple[str, str, bool]] = {}
    reports: dict[str, dict[str, Any]] = {}
    for event in runner.events:
        data = event.get("event_data", {})
        host, kind = data.get("host"), event.get("event")
        if not host:
            continue
        hosts.add(host)
        res = data.get("res") or {}
        if kind == "runner_on_ok" and data.get("task") == REPORT_TASK:
            reports[host] = res.get("ansible_facts", {}).get("preflight", {})
        elif kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            failed.setdefault(host, (str(data.get("task", "")), str(res.get("msg", "")), kind.endswith("unreachable")))
    results = {
        host: HostResult(
            host=host,
            ok=host not in failed,
            unreachable=failed[host][2] if host in failed else False,
            failed_task=failed[host][0] if host in failed else None,
            message=failed[host][1] if host in failed else "",
            report=reports.get(host),
        )
        for host in sorted(hosts)
    }
    tail = "\n".join(runner.stdout.read().splitlines()[-20:]) if runner.status != "successful" else ""
    return RunResult(playbook=playbook, status=str(runner.status), rc=int(runner.rc), hosts=results, stdout_tail=tail)


def _prepare(root: Path, inventory: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
    shutil.copytree(PLAYBOOK_DIR, root / "project", dirs_exist_ok=True)
    for folder in ("inventory", "env", "tmp"):
        (root / folder).mkdir(mode=0o700, exist_ok=True)
    (root / "inventory" / "hosts.json").write_text(json.dumps(inventory, sort_keys=True), encoding="utf-8")
    (root / "env" / "extravars").write_text(json.dumps(variables, sort_keys=True), encoding="utf-8")


def run_playbook(
    playbook: str,
    inventory: Mapping[str, Any],
    variables: Mapping[str, Any],
    secrets: Mapping[str, str] | None = None,
    ssh_key: str | None = None,
    *,
    check: bool = False,
    data_dir: Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> RunResult:
    """Run `<playbook>.yml` over `inventory`; `data_dir` (kept) or a temp dir (removed) holds the run."""
    from ansible_runner import Runner, RunnerConfig

    if not (PLAYBOOK_DIR / f"{playbook}.yml").is_file():
        raise AllmendeError(f"there is no playbook {playbook!r}", fix="use preflight, prepare or join")
    owned = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="allmende-ansible-")) if data_dir is None else data_dir
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        _prepare(root, inventory, variables)
        with _secret_files(secrets or {}, ssh_key) as secret_args:
            config = RunnerConfig(
                private_data_dir=str(root),
                playbook=f"{playbook}.yml",
                inventory=str(root / "inventory" / "hosts.json"),
                cmdline=shlex.join([*secret_args, *(["--check"] if check else [])]),
                ident=playbook,
                quiet=True,
                suppress_env_files=True,
                timeout=timeout,
            )
            config.prepare()
            config.env = _environment(root, config.env)
            runner = Runner(config=config)
            runner.run()
            return _results(playbook, runner)
    finally:
        if owned:
            shutil.rmtree(root, ignore_errors=True)
