"""Start, inspect and stop the local control plane of one state directory."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from allmende.devcluster import components, kube, processes
from allmende.devcluster.kubeconfig import write_kubeconfig
from allmende.devcluster.models import COMPONENTS, ClusterStatus, ComponentName, ComponentStatus, FakeNode, Ports
from allmende.devcluster.pki import Pki, ensure_pki
from allmende.devcluster.ports import free_ports, is_free
from allmende.devcluster.volumes import STORAGE_CLASS, ensure_volumes
from allmende.errors import AllmendeError
from allmende.toolchain.paths import tools_dir
from allmende.toolchain.recipes import KWOK_STAGES, KWOK_STAGES_DIR
from allmende.toolchain.status import require_tools

Progress = Callable[[str], None]


class ClusterRecord(BaseModel):
    """What `up` leaves in `<state_dir>/cluster.json`: the ports and the exact executables started."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ports: Ports
    executables: dict[str, str]


def kubeconfig_path(state_dir: Path) -> Path:
    return state_dir / "kubeconfig"


def _logs(state_dir: Path) -> Path:
    return state_dir / "logs"


def _record_path(state_dir: Path) -> Path:
    return state_dir / "cluster.json"


def _read_record(state_dir: Path) -> ClusterRecord | None:
    path = _record_path(state_dir)
    if not path.is_file():
        return None
    return ClusterRecord.model_validate_json(path.read_text(encoding="utf-8"))


def status(state_dir: Path) -> ClusterStatus:
    """Every component: its pid if it runs. A component that died shows `running=False`."""
    state_dir = state_dir.resolve()
    record = _read_record(state_dir)
    logs = _logs(state_dir)
    result = []
    for name in COMPONENTS:
        pid = None
        if record is not None and name in record.executables:
            pid = processes.running_pid(logs, name, Path(record.executables[name]))
        result.append(
            ComponentStatus(name=name, pid=pid, running=pid is not None, log=str(processes.log_file(logs, name)))
        )
    server = f"https://127.0.0.1:{record.ports.apiserver}" if record else ""
    return ClusterStatus(
        state_dir=str(state_dir),
        kubeconfig=str(kubeconfig_path(state_dir)),
        server=server,
        components=tuple(result),
    )


def down(state_dir: Path) -> list[str]:
    """Stop exactly the processes `up` started for this state directory; return the ones that ran."""
    state_dir = state_dir.resolve()
    record = _read_record(state_dir)
    if record is None:
        return []
    stopped: list[str] = []
    for name in reversed(COMPONENTS):
        if name in record.executables and processes.stop(_logs(state_dir), name, Path(record.executables[name])):
            stopped.append(name)
    return stopped


def _choose_ports(previous: ClusterRecord | None) -> Ports:
    if previous is not None and all(is_free(p) for p in previous.ports.model_dump().values()):
        return previous.ports  # keep etcd's peer URL and the kubeconfig stable across restarts
    etcd_client, etcd_peer, apiserver, kcm, scheduler, kwok = free_ports(6)
    return Ports(
        etcd_client=etcd_client,
        etcd_peer=etcd_peer,
        apiserver=apiserver,
        controller_manager=kcm,
        scheduler=scheduler,
        kwok=kwok,
    )


def _tail(path: str, lines: int = 15) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _fail(state_dir: Path, component: ComponentName, what: str) -> AllmendeError:
    log = str(processes.log_file(_logs(state_dir), component))
    down(state_dir)
    return AllmendeError(
        f"{component} {what}; the cluster was stopped again. Last log lines:\n{_tail(log)}",
        path=log,
        fix="read the log; then `allmende dev up` again (`allmende dev down` first if something still runs)",
    )


def _start_control_plane(state_dir: Path, pki: Pki, ports: Ports, exe: dict[str, Path], say: Progress) -> None:
    logs = _logs(state_dir)
    kubeconfig = kubeconfig_path(state_dir)
    stages = [tools_dir() / KWOK_STAGES_DIR / p.rsplit("/", 1)[1] for p in KWOK_STAGES]
    argv: dict[ComponentName, list[str]] = {
        "etcd": components.etcd(exe["etcd"], state_dir / "etcd", ports),
        "kube-apiserver": components.kube_apiserver(exe["kube-apiserver"], pki, ports),
        "kube-controller-manager": components.kube_controller_manager(
            exe["kube-controller-manager"], kubeconfig, pki, ports
        ),
        "kube-scheduler": components.kube_scheduler(exe["kube-scheduler"], kubeconfig, ports),
        "kwok": components.kwok(exe["kwok"], kubeconfig, stages, ports),
    }
    say("starting etcd")
    processes.start(logs, "etcd", argv["etcd"])
    if not kube.wait_for("etcd", lambda: kube.http_ok(f"http://127.0.0.1:{ports.etcd_client}/health"), 60):
        raise _fail(state_dir, "etcd", "did not become healthy within 60 s")
    say("starting kube-apiserver")
    processes.start(logs, "kube-apiserver", argv["kube-apiserver"])
    readyz = f"https://127.0.0.1:{ports.apiserver}/readyz"
    if not kube.wait_for("kube-apiserver", lambda: kube.http_ok(readyz, pki), 180):
        raise _fail(state_dir, "kube-apiserver", "did not become ready within 180 s")
    for name in ("kube-controller-manager", "kube-scheduler", "kwok"):
        say(f"starting {name}")
        processes.start(logs, name, argv[name])
    api = kube.api_client(kubeconfig)
    if not kube.wait_for("service account", lambda: kube.default_service_account_ready(api), 90):
        raise _fail(state_dir, "kube-controller-manager", "did not create the default service account within 90 s")
    late: tuple[ComponentName, ...] = ("kube-scheduler", "kwok")
    for name in late:
        if processes.running_pid(logs, name, exe[name]) is None:
            raise _fail(state_dir, name, "exited right after starting")


def up(
    state_dir: Path,
    nodes: Sequence[FakeNode] = (),
    crds_dirs: Sequence[Path] = (),
    progress: Progress | None = None,
) -> ClusterStatus:
    """Start the cluster (or find it running), then make the fake nodes and CRDs what is asked.

    Idempotent: a running cluster is kept; nodes and CRDs are applied again (create or update).
    Given nodes replace the fake nodes there are (others are deleted); no nodes leaves them as they are.
    """
    say: Progress = progress or (lambda _message: None)
    state_dir = state_dir.resolve()
    current = status(state_dir)
    if current.dead:
        say(f"components died ({', '.join(current.dead)}); restarting the cluster")
        down(state_dir)
    if not current.running:
        exe = require_tools(COMPONENTS)
        previous = _read_record(state_dir)
        ports = _choose_ports(previous)
        pki = ensure_pki(state_dir / "pki")
        write_kubeconfig(kubeconfig_path(state_dir), f"https://127.0.0.1:{ports.apiserver}", pki)
        record = ClusterRecord(ports=ports, executables={name: str(path) for name, path in exe.items()})
        state_dir.mkdir(parents=True, exist_ok=True)
        _record_path(state_dir).write_text(record.model_dump_json(indent=2), encoding="utf-8")
        _start_control_plane(state_dir, pki, ports, exe, say)
    else:
        say("the cluster is already running")
    api = kube.api_client(kubeconfig_path(state_dir))
    if nodes:  # the fake nodes become exactly these; without any, the existing ones stay
        say(f"fake nodes: {', '.join(n.name for n in nodes)}")
        kube.apply_nodes(api, nodes)
    made = ensure_volumes(api, state_dir / "volumes")
    if made:
        say(f"storage: {made} local volumes of class {STORAGE_CLASS} ready to bind")
    docs = kube.crd_documents(crds_dirs)
    if docs:
        say(f"applying {len(docs)} CRDs and waiting until they are Established")
        record_file = state_dir / "crds.json"
        applied = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
        record_file.write_text(json.dumps(kube.apply_crds(api, docs, applied), indent=2, sort_keys=True))
    return status(state_dir)
