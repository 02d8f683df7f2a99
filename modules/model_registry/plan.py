"""The model registry: an MLflow tracking server that is the single source of what may be served.

In the registry namespace (Pod Security "restricted", default-deny network): the MLflow server
(basic auth with a generated admin password, host-header protection set to its own Service
names, artifacts proxied to S3 or a volume), PostgreSQL in the cluster (protected, retained) or
an external database, and a nightly backup of the database and an artifact listing. Only the
tenants' namespaces and the serving namespace reach the server. Secrets appear here by name
only, with where their values come from; the generic wiring creates them.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from allmende import versions
from allmende.blueprints.schema import Blueprint, Registry
from allmende.modules.labels import DOMAIN, meta
from allmende.modules.model_registry import names as n
from allmende.modules.types import Manifest, ModulePlan, SecretKey, SecretSpec
from allmende.wiring import STATEFUL

POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}
MLFLOW_UID = 10001  # the MLflow image runs as root by default; any unprivileged uid works
POSTGRES_UID = 999  # the `postgres` user of the Debian-based postgres image
AUTH_CONFIG = "/run/mlflow/basic_auth.ini"
DUMP = "/backup/mlflow.dump"
WORKERS = 2
PASSWORD_LENGTH = 32  # MLflow requires at least 12 characters for the admin


def _meta(instance: str, namespace: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    out = meta(instance, n.COMPONENT, instance, namespace)
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out


def selector(instance: str) -> dict[str, str]:
    return {"app.kubernetes.io/component": n.COMPONENT, "app.kubernetes.io/instance": instance}


def _pod_labels(instance: str) -> dict[str, str]:
    labels: dict[str, str] = meta(instance, n.COMPONENT, instance)["labels"]
    return labels


def pod_security(uid: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }


CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
}


def _resources(cpu: str, memory: str, cpu_limit: str, memory_limit: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu_limit, "memory": memory_limit}}


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _empty_dir(name: str, memory: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"sizeLimit": "64Mi" if memory else "1Gi"}
    if memory:
        spec["medium"] = "Memory"
    return {"name": name, "emptyDir": spec}


def backend_env(registry: Registry) -> list[dict[str, Any]]:
    """MLFLOW_BACKEND_STORE_URI: the external DSN Secret, or composed from the generated password.

    Kubernetes expands `$(VAR)` from variables defined before it, so the password stays in its
    Secret and the Plan holds only the reference.
    """
    if registry.database.mode == "external":
        assert registry.database.dsn_secret is not None  # the schema guarantees it
        return [_secret_env("MLFLOW_BACKEND_STORE_URI", registry.database.dsn_secret, "dsn")]
    host = n.database_host(registry.namespace)
    return [
        _secret_env("MLFLOW_DB_PASSWORD", n.DB_SECRET, "password"),
        {
            "name": "MLFLOW_BACKEND_STORE_URI",
            "value": f"postgresql+psycopg2://{n.DB_USER}:$(MLFLOW_DB_PASSWORD)@{host}/{n.DB_NAME}",
        },
    ]


def secrets(registry: Registry) -> list[SecretSpec]:
    """The Secrets the component creates: generated (or, for the admin, set in Pulumi config)."""
    labels: dict[str, str] = meta(n.SERVER, n.COMPONENT, n.SERVER)["labels"]
    out = [
        SecretSpec(
            name=n.ADMIN_SECRET,
            namespace=registry.namespace,
            labels=labels,
            keys={
                "username": SecretKey(literal="admin"),
                "password": SecretKey(config=n.ADMIN_PASSWORD_CONFIG, generate=PASSWORD_LENGTH),
            },
        ),
        SecretSpec(
            name=n.FLASK_SECRET,
            namespace=registry.namespace,
            labels=labels,
            keys={"secret-key": SecretKey(generate=PASSWORD_LENGTH)},
        ),
    ]
    if registry.database.mode == "in-cluster":
        # letters and digits only (the generator's alphabet): it goes into a URI unescaped
        keys = {"password": SecretKey(generate=PASSWORD_LENGTH)}
        out.append(SecretSpec(name=n.DB_SECRET, namespace=registry.namespace, labels=labels, keys=keys))
    return out


def _s3_env(registry: Registry) -> list[dict[str, Any]]:
    if registry.artifacts.mode != "s3":
        return []
    secret = registry.artifacts.secret
    assert secret is not None and registry.artifacts.endpoint is not None  # the schema guarantees both
    return [
        _secret_env("AWS_ACCESS_KEY_ID", secret, "AWS_ACCESS_KEY_ID"),
        _secret_env("AWS_SECRET_ACCESS_KEY", secret, "AWS_SECRET_ACCESS_KEY"),
        {"name": "MLFLOW_S3_ENDPOINT_URL", "value": registry.artifacts.endpoint},
    ]


def namespace(registry: Registry) -> Manifest:
    more = {**POD_SECURITY, f"{DOMAIN}/role": "registry"}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": meta(registry.namespace, n.COMPONENT, n.SERVER, more=more),
    }


def service_accounts(registry: Registry) -> list[Manifest]:
    instances = [n.SERVER, n.BACKUP] + ([n.DATABASE] if registry.database.mode == "in-cluster" else [])
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(instance, registry.namespace),
        }
        for instance in instances  # the pods themselves set automountServiceAccountToken: false
    ]


def _policy(name: str, namespace: str, spec: dict[str, Any]) -> Manifest:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(name, namespace),
        "spec": spec,
    }


def _to_database(registry: Registry) -> dict[str, Any]:
    """Egress rule to the database: its pods, or (external) any address on the PostgreSQL port."""
    port = [{"port": n.DB_PORT, "protocol": "TCP"}]
    if registry.database.mode == "in-cluster":
        return {"to": [{"podSelector": {"matchLabels": selector(n.DATABASE)}}], "ports": port}
    return {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": port}


def _to_s3(registry: Registry) -> list[dict[str, Any]]:
    if registry.artifacts.mode != "s3":
        return []
    endpoint = urlparse(registry.artifacts.endpoint or "")
    port = endpoint.port or 443
    return [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": port, "protocol": "TCP"}]}]


def network_policies(blueprint: Blueprint) -> list[Manifest]:
    registry = blueprint.registry
    ns = registry.namespace
    clients = sorted({t.namespace for t in blueprint.tenants} | {blueprint.serving.namespace})
    policies = [
        _policy("default-deny", ns, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
        _policy(
            "allow-dns",
            ns,
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                    }
                ],
            },
        ),
        _policy(
            "mlflow-clients",
            ns,
            {
                "podSelector": {"matchLabels": selector(n.SERVER)},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchExpressions": [
                                        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": clients}
                                    ]
                                }
                            }
                        ],
                        "ports": [{"port": n.PORT, "protocol": "TCP"}],
                    }
                ],
            },
        ),
        _policy(
            "mlflow-egress",
            ns,
            {
                "podSelector": {"matchLabels": selector(n.SERVER)},
                "policyTypes": ["Egress"],
                "egress": [_to_database(registry), *_to_s3(registry)],
            },
        ),
        _policy(
            "backup-egress",
            ns,
            {
                "podSelector": {"matchLabels": selector(n.BACKUP)},
                "policyTypes": ["Egress"],
                "egress": [_to_database(registry), *_to_s3(registry)],
            },
        ),
    ]
    if registry.database.mode == "in-cluster":
        policies.append(
            _policy(
                "database-clients",
                ns,
                {
                    "podSelector": {"matchLabels": selector(n.DATABASE)},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [
                                {"podSelector": {"matchLabels": selector(n.SERVER)}},
                                {"podSelector": {"matchLabels": selector(n.BACKUP)}},
                            ],
                            "ports": [{"port": n.DB_PORT, "protocol": "TCP"}],
                        }
                    ],
                },
            )
        )
    return policies


def _claim(name: str, namespace: str, size_gi: int, access: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _meta(name, namespace, {STATEFUL: "true"}),
        "spec": {"accessModes": [access], "resources": {"requests": {"storage": f"{size_gi}Gi"}}},
    }


def artifacts_access(registry: Registry) -> str:
    """One replica: ReadWriteOnce; several replicas share the volume: ReadWriteMany."""
    return "ReadWriteOnce" if registry.replicas == 1 else "ReadWriteMany"


def claims(registry: Registry) -> list[Manifest]:
    out = []
    if registry.artifacts.mode == "pvc":
        out.append(
            _claim(n.ARTIFACTS_CLAIM, registry.namespace, registry.artifacts.storage_gi, artifacts_access(registry))
        )
    if registry.database.mode == "in-cluster":
        out.append(_claim(n.DATABASE_CLAIM, registry.namespace, registry.database.storage_gi, "ReadWriteOnce"))
    return out


def server_command(registry: Registry) -> list[str]:
    """Write the auth config (its database URI comes from a Secret at run time), then run MLflow."""
    auth_ini = "\\n".join(
        [
            "[mlflow]",
            "default_permission = READ",
            "database_uri = %s",
            "admin_username = admin",
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
        ]
    )
    server = [
        "mlflow",
        "server",
        "--backend-store-uri",
        '"$MLFLOW_BACKEND_STORE_URI"',
        "--artifacts-destination",
        shlex.quote(n.artifacts_destination(registry)),
        "--serve-artifacts",
        "--host",
        "0.0.0.0",
        "--port",
        str(n.PORT),
        "--workers",
        str(WORKERS),
        "--app-name",
        "basic-auth",
        "--allowed-hosts",
        shlex.quote(",".join(n.service_hosts(registry.namespace))),
    ]
    script = "\n".join(
        [
            "set -eu",
            "umask 077",
            # ConfigParser reads '%' as interpolation: double it in the URI
            "uri=$(printf '%s' \"$MLFLOW_BACKEND_STORE_URI\" | sed 's/%/%%/g')",
            f"printf '{auth_ini}\\n' \"$uri\" > {AUTH_CONFIG}",
            "exec " + " ".join(server),
        ]
    )
    return ["/bin/sh", "-c", script]


def deployment(registry: Registry) -> Manifest:
    volumes = [_empty_dir("tmp"), _empty_dir("run", memory=True)]
    mounts = [{"name": "tmp", "mountPath": "/tmp"}, {"name": "run", "mountPath": str(Path(AUTH_CONFIG).parent)}]
    if registry.artifacts.mode == "pvc":
        volumes.append({"name": "artifacts", "persistentVolumeClaim": {"claimName": n.ARTIFACTS_CLAIM}})
        mounts.append({"name": "artifacts", "mountPath": n.ARTIFACTS_MOUNT})
    env = [
        *backend_env(registry),
        _secret_env("MLFLOW_AUTH_ADMIN_PASSWORD", n.ADMIN_SECRET, "password"),
        _secret_env("MLFLOW_FLASK_SERVER_SECRET_KEY", n.FLASK_SECRET, "secret-key"),
        {"name": "MLFLOW_AUTH_CONFIG_PATH", "value": AUTH_CONFIG},
        {"name": "HOME", "value": "/tmp"},
        *_s3_env(registry),
    ]
    probe = {"httpGet": {"path": "/health", "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 5}
    single_volume = registry.artifacts.mode == "pvc" and artifacts_access(registry) == "ReadWriteOnce"
    container = {
        "name": "mlflow",
        "image": versions.image_ref("mlflow"),
        "imagePullPolicy": "IfNotPresent",
        "command": server_command(registry),
        "env": env,
        "ports": [{"name": "http", "containerPort": n.PORT, "protocol": "TCP"}],
        "startupProbe": {**probe, "failureThreshold": 30},
        "readinessProbe": {**probe, "failureThreshold": 3},
        "livenessProbe": {**probe, "failureThreshold": 6},
        "resources": _resources("250m", "1Gi", "2", "2Gi"),
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": mounts,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(n.SERVER, registry.namespace),
        "spec": {
            "replicas": registry.replicas,
            "selector": {"matchLabels": selector(n.SERVER)},
            # a ReadWriteOnce volume cannot be mounted by the old and the new pod on two nodes
            "strategy": {"type": "Recreate"} if single_volume else {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": _pod_labels(n.SERVER)},
                "spec": {
                    "serviceAccountName": n.SERVER,
                    "automountServiceAccountToken": False,
                    "securityContext": pod_security(MLFLOW_UID),
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }


def services(registry: Registry) -> list[Manifest]:
    out = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(n.SERVER, registry.namespace),
            "spec": {
                "selector": selector(n.SERVER),
                "ports": [{"name": "http", "port": n.PORT, "targetPort": "http", "protocol": "TCP"}],
            },
        }
    ]
    if registry.database.mode == "in-cluster":
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": _meta(n.DATABASE, registry.namespace),
                "spec": {
                    "selector": selector(n.DATABASE),
                    "ports": [{"name": "postgres", "port": n.DB_PORT, "targetPort": "postgres", "protocol": "TCP"}],
                },
            }
        )
    return out


def database(registry: Registry) -> Manifest:
    """PostgreSQL for the registry. Stateful: protected and kept when the stack is destroyed."""
    probe = {
        "exec": {"command": ["pg_isready", "--host", "127.0.0.1", "--username", n.DB_USER, "--dbname", n.DB_NAME]},
        "periodSeconds": 10,
        "timeoutSeconds": 5,
    }
    container = {
        "name": "postgres",
        "image": versions.image_ref("postgres"),
        "imagePullPolicy": "IfNotPresent",
        "env": [
            {"name": "POSTGRES_USER", "value": n.DB_USER},
            {"name": "POSTGRES_DB", "value": n.DB_NAME},
            _secret_env("POSTGRES_PASSWORD", n.DB_SECRET, "password"),
            {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
        ],
        "ports": [{"name": "postgres", "containerPort": n.DB_PORT, "protocol": "TCP"}],
        "startupProbe": {**probe, "failureThreshold": 30},
        "readinessProbe": {**probe, "failureThreshold": 3},
        "livenessProbe": {**probe, "failureThreshold": 6},
        "resources": _resources("250m", "512Mi", "2", "2Gi"),
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": [
            {"name": "data", "mountPath": "/var/lib/postgresql/data"},
            {"name": "run", "mountPath": "/var/run/postgresql"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _meta(n.DATABASE, registry.namespace, {STATEFUL: "true"}),
        "spec": {
            "replicas": 1,
            "serviceName": n.DATABASE,
            "selector": {"matchLabels": selector(n.DATABASE)},
            "template": {
                "metadata": {"labels": _pod_labels(n.DATABASE)},
                "spec": {
                    "serviceAccountName": n.DATABASE,
                    "automountServiceAccountToken": False,
                    "securityContext": pod_security(POSTGRES_UID),
                    "containers": [container],
                    "volumes": [
                        {"name": "data", "persistentVolumeClaim": {"claimName": n.DATABASE_CLAIM}},
                        _empty_dir("run", memory=True),
                        _empty_dir("tmp"),
                    ],
                },
            },
        },
    }


def backup_script() -> Manifest:
    source = Path(__file__).with_name("backup_job.py").read_text(encoding="utf-8")
    return {"data": {"backup.py": source}}


def backup(registry: Registry) -> list[Manifest]:
    """Nightly: pg_dump (init container), then the dump and an artifact listing into the store."""
    ns = registry.namespace
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(n.BACKUP_SCRIPT, ns), **backup_script()}
    root = n.ARTIFACTS_MOUNT if registry.artifacts.mode == "pvc" else f"s3://{registry.artifacts.bucket}"
    volumes: list[dict[str, Any]] = [
        _empty_dir("backup"),
        _empty_dir("tmp"),
        {"name": "script", "configMap": {"name": n.BACKUP_SCRIPT}},
    ]
    store_mounts = [
        {"name": "backup", "mountPath": str(Path(DUMP).parent), "readOnly": True},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "script", "mountPath": "/opt/allmende", "readOnly": True},
    ]
    affinity: dict[str, Any] = {}
    if registry.artifacts.mode == "pvc":
        volumes.append({"name": "artifacts", "persistentVolumeClaim": {"claimName": n.ARTIFACTS_CLAIM}})
        store_mounts.append({"name": "artifacts", "mountPath": n.ARTIFACTS_MOUNT})
        if artifacts_access(registry) == "ReadWriteOnce":
            # the volume is attached to the MLflow server's node: run beside it
            affinity = {
                "podAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        {"labelSelector": {"matchLabels": selector(n.SERVER)}, "topologyKey": "kubernetes.io/hostname"}
                    ]
                }
            }
    dump = {
        "name": "dump",
        "image": versions.image_ref("postgres"),
        "imagePullPolicy": "IfNotPresent",
        "command": [
            "/bin/sh",
            "-c",
            "set -eu\n"
            "dsn=$(printf '%s' \"$MLFLOW_BACKEND_STORE_URI\" | sed 's/+psycopg2//')\n"
            f'pg_dump --format=custom --no-owner --file={DUMP} --dbname="$dsn"',
        ],
        "env": backend_env(registry),
        "resources": _resources("100m", "256Mi", "1", "1Gi"),
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": [{"name": "backup", "mountPath": str(Path(DUMP).parent)}, {"name": "tmp", "mountPath": "/tmp"}],
    }
    store = {
        "name": "store",
        "image": versions.image_ref("mlflow"),
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "/opt/allmende/backup.py"],
        "env": [
            {"name": "ALLMENDE_ARTIFACTS_ROOT", "value": root},
            {"name": "ALLMENDE_BACKUP_KEEP", "value": str(registry.backup.keep)},
            {"name": "ALLMENDE_DUMP", "value": DUMP},
            {"name": "HOME", "value": "/tmp"},
            *_s3_env(registry),
        ],
        "resources": _resources("100m", "256Mi", "1", "1Gi"),
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": store_mounts,
    }
    pod_spec: dict[str, Any] = {
        "serviceAccountName": n.BACKUP,
        "automountServiceAccountToken": False,
        "restartPolicy": "Never",
        "securityContext": pod_security(MLFLOW_UID),
        "initContainers": [dump],
        "containers": [store],
        "volumes": volumes,
    }
    if affinity:
        pod_spec["affinity"] = affinity
    cron_job = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(n.BACKUP, ns),
        "spec": {
            "schedule": registry.backup.schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "metadata": {"labels": _pod_labels(n.BACKUP)},
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": 3600,
                    "ttlSecondsAfterFinished": 86400,
                    "template": {"metadata": {"labels": _pod_labels(n.BACKUP)}, "spec": pod_spec},
                },
            },
        },
    }
    return [config_map, cron_job]


def plan(blueprint: Blueprint) -> ModulePlan:
    registry = blueprint.registry
    objects: list[Manifest] = [
        namespace(registry),
        *service_accounts(registry),
        *network_policies(blueprint),
        *claims(registry),
        *services(registry),
        deployment(registry),
        *backup(registry),
    ]
    if registry.database.mode == "in-cluster":
        objects.append(database(registry))
    return ModulePlan(module="model_registry", objects=objects, secrets=secrets(registry)).sorted()
