"""The registry plan: durable, locked down, secrets by name only, and deterministic."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from allmende import versions
from allmende.blueprints.loader import load
from allmende.blueprints.schema import Blueprint, Registry
from allmende.blueprints.schema.registry import Artifacts, Database
from allmende.modules.model_registry import names as n
from allmende.modules.model_registry.plan import AUTH_CONFIG, plan
from tests.conftest import STACKS


def _with_registry(bp: Blueprint, registry: Registry) -> Blueprint:
    return bp.model_copy(update={"registry": registry})


def _one(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def _pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for o in objects:
        if o["kind"] in ("Deployment", "StatefulSet"):
            out[o["metadata"]["name"]] = o["spec"]["template"]["spec"]
        elif o["kind"] == "CronJob":
            out[o["metadata"]["name"]] = o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return out


PVC_POSTGRES = Registry(
    database=Database(mode="in-cluster"),
    artifacts=Artifacts(mode="pvc", storage_gi=50),
)
S3_EXTERNAL = Registry(
    database=Database(mode="external", dsn_secret="registry-dsn"),
    artifacts=Artifacts(mode="s3", endpoint="https://s3.example.org:9000", bucket="models", secret="s3-keys"),
    replicas=2,
)


@pytest.mark.parametrize("stack", STACKS)
def test_every_workload_is_non_root_read_only_with_limits_and_probes(stack: str) -> None:
    objects = plan(load(stack).blueprint).objects
    specs = _pod_specs(objects)
    assert set(specs) >= {n.SERVER, n.BACKUP}
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in spec.get("initContainers", []) + spec["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"] == {"drop": ["ALL"]}
            assert set(container["resources"]) == {"requests", "limits"}
            assert ":latest" not in container["image"]
            if name != n.BACKUP:
                assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(container)


def test_namespace_enforces_restricted_pod_security() -> None:
    bp = load("health").blueprint
    ns = _one(plan(bp).objects, "Namespace")
    assert ns["metadata"]["name"] == bp.registry.namespace
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_server_runs_pinned_mlflow_with_basic_auth_and_its_own_host_names() -> None:
    bp = _with_registry(load("science").blueprint, PVC_POSTGRES)
    deployment = _one(plan(bp).objects, "Deployment", n.SERVER)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == versions.image_ref("mlflow")
    script = container["command"][2]
    assert "--app-name basic-auth" in script
    assert f"--artifacts-destination {n.ARTIFACTS_MOUNT}/artifacts" in script
    assert '--backend-store-uri "$MLFLOW_BACKEND_STORE_URI"' in script
    hosts = script.split("--allowed-hosts ")[1].split(",")
    assert f"mlflow.{bp.registry.namespace}.svc:5000" in hosts and "*" not in hosts
    env = {e["name"]: e for e in container["env"]}
    assert env["MLFLOW_AUTH_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": n.ADMIN_SECRET, "key": "password"}
    assert env["MLFLOW_FLASK_SERVER_SECRET_KEY"]["valueFrom"]["secretKeyRef"]["name"] == n.FLASK_SECRET
    assert env["MLFLOW_DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": n.DB_SECRET, "key": "password"}
    names = [e["name"] for e in container["env"]]
    assert names.index("MLFLOW_DB_PASSWORD") < names.index("MLFLOW_BACKEND_STORE_URI")  # $(VAR) expands earlier ones
    assert env["MLFLOW_BACKEND_STORE_URI"]["value"] == (
        f"postgresql+psycopg2://mlflow:$(MLFLOW_DB_PASSWORD)@mlflow-db.{bp.registry.namespace}.svc:5432/mlflow"
    )
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}  # one ReadWriteOnce volume


def test_in_cluster_database_is_stateful_and_its_volume_protected() -> None:
    objects = plan(_with_registry(load("science").blueprint, PVC_POSTGRES)).objects
    database = _one(objects, "StatefulSet", n.DATABASE)
    assert database["metadata"]["annotations"]["allmende.org/stateful"] == "true"
    assert database["spec"]["template"]["spec"]["containers"][0]["image"] == versions.image_ref("postgres")
    claims = {o["metadata"]["name"]: o for o in objects if o["kind"] == "PersistentVolumeClaim"}
    assert set(claims) == {n.DATABASE_CLAIM, n.ARTIFACTS_CLAIM}
    assert claims[n.ARTIFACTS_CLAIM]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    assert all(c["metadata"]["annotations"]["allmende.org/stateful"] == "true" for c in claims.values())


def test_external_database_and_s3_artifacts() -> None:
    objects = plan(_with_registry(load("science").blueprint, S3_EXTERNAL)).objects
    assert not [o for o in objects if o["kind"] in ("StatefulSet", "PersistentVolumeClaim")]
    deployment = _one(objects, "Deployment", n.SERVER)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["MLFLOW_BACKEND_STORE_URI"]["valueFrom"]["secretKeyRef"] == {"name": "registry-dsn", "key": "dsn"}
    assert env["MLFLOW_S3_ENDPOINT_URL"]["value"] == "https://s3.example.org:9000"
    assert env["AWS_ACCESS_KEY_ID"]["valueFrom"]["secretKeyRef"]["name"] == "s3-keys"
    assert "--artifacts-destination s3://models/artifacts" in container["command"][2]
    assert deployment["spec"]["replicas"] == 2 and deployment["spec"]["strategy"] == {"type": "RollingUpdate"}
    egress = _one(objects, "NetworkPolicy", "mlflow-egress")["spec"]["egress"]
    assert {"port": 9000, "protocol": "TCP"} in [p for rule in egress for p in rule["ports"]]


def test_only_tenants_and_serving_reach_the_server() -> None:
    bp = load("science").blueprint
    objects = plan(bp).objects
    clients = _one(objects, "NetworkPolicy", "mlflow-clients")["spec"]["ingress"][0]["from"][0]
    allowed = clients["namespaceSelector"]["matchExpressions"][0]["values"]
    assert allowed == sorted({t.namespace for t in bp.tenants} | {bp.serving.namespace})
    deny = _one(objects, "NetworkPolicy", "default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_backup_runs_nightly_and_keeps_the_last_n() -> None:
    bp = _with_registry(load("science").blueprint, PVC_POSTGRES)
    cron = _one(plan(bp).objects, "CronJob", n.BACKUP)
    assert cron["spec"]["schedule"] == bp.registry.backup.schedule
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    spec = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert "pg_dump" in spec["initContainers"][0]["command"][2]
    env = {e["name"]: e.get("value") for e in spec["containers"][0]["env"]}
    assert env["ALLMENDE_BACKUP_KEEP"] == str(bp.registry.backup.keep)
    assert env["ALLMENDE_ARTIFACTS_ROOT"] == n.ARTIFACTS_MOUNT
    assert "podAffinity" in spec["affinity"]  # beside the server that holds the ReadWriteOnce volume


@pytest.mark.parametrize("registry", [PVC_POSTGRES, S3_EXTERNAL], ids=["pvc-postgres", "s3-external"])
def test_secrets_appear_by_name_only(registry: Registry) -> None:
    module = plan(_with_registry(load("health").blueprint, registry))
    assert not [o for o in module.objects if o["kind"] == "Secret"]
    assert "password1234" not in yaml.safe_dump(module.model_dump())
    specs = {s.name: s for s in module.secrets}
    expected = {n.ADMIN_SECRET, n.FLASK_SECRET} | ({n.DB_SECRET} if registry.database.mode == "in-cluster" else set())
    assert set(specs) == expected
    for spec in specs.values():
        assert spec.namespace == registry.namespace
        for key, source in spec.keys.items():
            assert source.literal is None or key == "username"  # values are generated or configured, never planned
            assert source.generate is None or source.generate >= 12  # MLflow's minimum for the admin
    assert specs[n.ADMIN_SECRET].keys["password"].config == n.ADMIN_PASSWORD_CONFIG


@pytest.mark.parametrize("stack", STACKS)
def test_plan_is_deterministic(stack: str) -> None:
    bp = load(stack).blueprint
    assert yaml.safe_dump(plan(bp).model_dump()) == yaml.safe_dump(plan(bp).model_dump())


def test_the_planned_start_script_writes_a_valid_auth_config(tmp_path: Path) -> None:
    """Run the planned shell script with a stub `mlflow`: the auth config must carry the DSN intact."""
    bp = _with_registry(load("science").blueprint, PVC_POSTGRES)
    container = _one(plan(bp).objects, "Deployment", n.SERVER)["spec"]["template"]["spec"]["containers"][0]
    config = tmp_path / "basic_auth.ini"
    script = container["command"][2].replace(AUTH_CONFIG, str(config))
    stub = tmp_path / "bin" / "mlflow"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_OUT"\n', encoding="utf-8")
    stub.chmod(0o755)
    dsn = "postgresql+psycopg2://mlflow:p%40ss@db.example:5432/mlflow"
    env = {**os.environ, "PATH": f"{stub.parent}:{os.environ['PATH']}", "MLFLOW_BACKEND_STORE_URI": dsn}
    env["ARGS_OUT"] = str(tmp_path / "args")
    subprocess.run(["/bin/sh", "-c", script], env=env, check=True, timeout=30)
    parser = configparser.ConfigParser()
    parser.read(config)
    assert parser["mlflow"]["database_uri"] == dsn
    assert parser["mlflow"]["admin_username"] == "admin"
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    args = (tmp_path / "args").read_text(encoding="utf-8").splitlines()
    assert args[args.index("--backend-store-uri") + 1] == dsn
    assert args[args.index("--app-name") + 1] == "basic-auth"
