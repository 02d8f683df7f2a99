"""Real registries for the `registry` rung: `mlflow server` on 127.0.0.1 with basic auth, once on
SQLite and once on PostgreSQL (Debian's server binaries, started here in a temporary folder).

The PostgreSQL-backed server runs the very start script the plan puts in the Deployment (only
paths, port and listen address are swapped for local ones), with the environment the plan
declares. Servers are started once per session; nothing here skips: a missing prerequisite fails.
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from allmende.blueprints.loader import load
from allmende.modules.model_registry import names as n
from allmende.modules.model_registry.plan import AUTH_CONFIG, plan

VENV_BIN = Path(sys.executable).parent
START_TIMEOUT_S = 180


@dataclass(frozen=True)
class Server:
    backend: str
    uri: str
    password: str
    artifacts: Path  # the folder that plays the artifacts volume (mounted at /mlartifacts in the cluster)

    def env(self, password: str | None = None) -> dict[str, str]:
        return {
            "MLFLOW_TRACKING_URI": self.uri,
            "MLFLOW_TRACKING_USERNAME": "admin",
            "MLFLOW_TRACKING_PASSWORD": self.password if password is None else password,
        }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_healthy(process: subprocess.Popen[bytes], uri: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mlflow server exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{uri}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    process.terminate()
    pytest.fail(f"mlflow server did not become healthy within {START_TIMEOUT_S} s:\n{_tail(log)}")


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], uri: str, log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(process, uri, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("mlflow-sqlite")
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(24)
    auth = root / "basic_auth.ini"
    auth.write_text(
        "[mlflow]\ndefault_permission = READ\n"
        f"database_uri = sqlite:///{root / 'auth.db'}\nadmin_username = admin\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
        encoding="utf-8",
    )
    env = _base_env() | {
        "MLFLOW_AUTH_CONFIG_PATH": str(auth),
        "MLFLOW_AUTH_ADMIN_PASSWORD": password,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16),
    }
    artifacts = root / "mlartifacts"
    args = [
        str(VENV_BIN / "mlflow"),
        "server",
        "--backend-store-uri",
        f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination",
        str(artifacts / n.ARTIFACTS_PREFIX),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--app-name",
        "basic-auth",
        "--allowed-hosts",
        f"127.0.0.1:{port},localhost:{port}",
    ]
    with running(args, env, uri, root / "server.log"):
        yield Server("sqlite", uri, password, artifacts)


def postgres_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        pytest.fail("PostgreSQL server binaries are missing: install the Debian package `postgresql` (.ci/run does)")
    return Path(candidates[-1]).parent


def _as_user() -> tuple[list[str], str | None]:
    """initdb refuses to run as root: run the server as `postgres` (or `nobody`) then."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"], user
    pytest.fail("running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL")


@dataclass(frozen=True)
class Postgres:
    port: int
    password: str  # of user `mlflow`, owner of database `mlflow`


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server on 127.0.0.1 with password auth, user and database `mlflow`."""
    bindir = postgres_bin()
    prefix, user = _as_user()
    # not below pytest's tmp folder: that is private to root, and the server may run as another user
    root = Path(tempfile.mkdtemp(prefix="allmende-pg-"))
    password = secrets.token_hex(16)
    (root / "pw").write_text(password, encoding="utf-8")
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        os.chown(root / "pw", entry.pw_uid, entry.pw_gid)
    port = free_port()
    data = root / "data"

    def run(*args: str) -> None:
        result = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            pytest.fail(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        n.DB_USER,
        f"--pwfile={root / 'pw'}",
        "--auth-local=scram-sha-256",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--no-sync",
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w", "start")
    try:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=port, user=n.DB_USER, password=password, dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {n.DB_NAME}")
        connection.close()
        yield Postgres(port=port, password=password)
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def planned_container() -> tuple[str, dict[str, Any]]:
    """(namespace, the MLflow container) of the plan, for a registry on a volume with its own PostgreSQL."""
    from allmende.blueprints.schema import Registry

    bp = load("science").blueprint.model_copy(update={"registry": Registry()})
    deployment = next(o for o in plan(bp).objects if o["kind"] == "Deployment")
    container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return bp.registry.namespace, container


@pytest.fixture(scope="session")
def postgres_server(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("mlflow-postgres")
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(24)
    artifacts = root / "mlartifacts"
    namespace, container = planned_container()
    script = (
        container["command"][2]
        .replace(AUTH_CONFIG, str(root / "basic_auth.ini"))
        .replace(f"{n.ARTIFACTS_MOUNT}/", f"{artifacts}/")
        .replace("--host 0.0.0.0", "--host 127.0.0.1")
        .replace(f"--port {n.PORT}", f"--port {port}")
        .replace("--workers 2", "--workers 1")
        .replace(f"127.0.0.1:{n.PORT}", f"127.0.0.1:{port}")
    )
    from_secrets = {
        n.DB_SECRET: {"password": postgres.password},
        n.ADMIN_SECRET: {"password": password},
        n.FLASK_SECRET: {"secret-key": secrets.token_hex(16)},
    }
    env = _base_env()
    for item in container["env"]:  # as the kubelet does: secret references, then $(VAR) of earlier ones
        if "value" in item:
            value = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), item["value"])
            env[item["name"]] = value.replace(n.database_host(namespace), f"127.0.0.1:{postgres.port}")
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = from_secrets[ref["name"]][ref["key"]]
    env["MLFLOW_AUTH_CONFIG_PATH"] = str(root / "basic_auth.ini")
    env["HOME"] = str(root)
    with running(["/bin/sh", "-c", script], env, uri, root / "server.log"):
        yield Server("postgresql", uri, password, artifacts)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest) -> Server:
    fixture = "sqlite_server" if request.param == "sqlite" else "postgres_server"
    found: Server = request.getfixturevalue(fixture)
    return found


def register_models_cli() -> Any:
    """The real `allmende` app with `models` registered (as the CLI package will register it)."""
    from allmende import cli
    from allmende.cli import models

    if not any(group.name == "models" for group in cli.app.registered_groups):
        cli.app.add_typer(models.app, name="models")
    return cli


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def allmende(*args: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Ran:
    """Run `allmende models …` in-process through the CLI's own error handling; capture its output."""
    cli = register_models_cli()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["allmende", *args])
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Ran(code, stdout.getvalue(), stderr.getvalue())


def allmende_process(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `allmende models …` as a separate process, as a person would."""
    program = (
        "import sys\n"
        "from tests.registry.conftest import register_models_cli\n"
        "cli = register_models_cli()\n"
        "sys.argv = ['allmende', *sys.argv[1:]]\n"
        "cli.main()\n"
    )
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        cwd=root,
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
