"""Names and locations of the model registry, shared by its plan, its component and `models lock`.

Where the MLflow server keeps artifacts decides the `storageUri` a served model is fetched
from, so the mapping from MLflow's `mlflow-artifacts:/` URIs to `s3://` or `pvc://` lives
here, beside the `--artifacts-destination` it inverts.
"""

from __future__ import annotations

from urllib.parse import urlparse

from allmende.blueprints.schema import Registry
from allmende.errors import AllmendeError

COMPONENT = "model-registry"
SERVER = "mlflow"
DATABASE = "mlflow-db"
BACKUP = "mlflow-backup"
PORT = 5000
DB_PORT = 5432
DB_NAME = "mlflow"
DB_USER = "mlflow"

ARTIFACTS_CLAIM = "mlflow-artifacts"
DATABASE_CLAIM = "mlflow-db-data"
ARTIFACTS_MOUNT = "/mlartifacts"
ARTIFACTS_PREFIX = "artifacts"  # below the mount or bucket: the artifact tree
BACKUPS_PREFIX = "backups"  # below the mount or bucket: the nightly backups

# Secrets the plan names and the component creates (values never enter the Plan).
ADMIN_SECRET = "mlflow-admin"  # keys `username`, `password`: the basic-auth admin (generated, or from config)
FLASK_SECRET = "mlflow-flask"  # key `secret-key`: MLFLOW_FLASK_SERVER_SECRET_KEY, the same on every replica
DB_SECRET = "mlflow-db"  # key `password`: the in-cluster database's generated password
BACKUP_SCRIPT = "mlflow-backup-script"  # ConfigMap with the backup program
ADMIN_PASSWORD_CONFIG = "registry_admin_password"  # `pulumi config set --secret allmende:registry_admin_password`


def database_host(namespace: str) -> str:
    return f"{DATABASE}.{namespace}.svc:{DB_PORT}"


def service_hosts(namespace: str) -> list[str]:
    """Every name the Service answers to, with and without the port (MLflow's --allowed-hosts)."""
    names = [SERVER, f"{SERVER}.{namespace}", f"{SERVER}.{namespace}.svc", f"{SERVER}.{namespace}.svc.cluster.local"]
    local = ["localhost", "127.0.0.1"]  # `kubectl port-forward svc/mlflow 5000`
    return [h for name in [*names, *local] for h in (name, f"{name}:{PORT}")]


def artifacts_destination(registry: Registry) -> str:
    if registry.artifacts.mode == "s3":
        return f"s3://{registry.artifacts.bucket}/{ARTIFACTS_PREFIX}"
    return f"{ARTIFACTS_MOUNT}/{ARTIFACTS_PREFIX}"


def storage_uri(artifact_uri: str, registry: Registry) -> str:
    """Where KServe fetches an artifact the registry names: `s3://…` or `pvc://<claim>/…`.

    `mlflow-artifacts:/<path>` (the proxied store) maps below the artifacts destination;
    `s3://` locations are already fetchable. Anything else cannot reach the cluster.
    """
    parsed = urlparse(artifact_uri)
    if parsed.scheme == "s3":
        return artifact_uri
    if parsed.scheme == "mlflow-artifacts":
        path = parsed.path.strip("/")
        if not path:
            raise AllmendeError(f"artifact URI {artifact_uri!r} names no path")
        if registry.artifacts.mode == "s3":
            return f"s3://{registry.artifacts.bucket}/{ARTIFACTS_PREFIX}/{path}"
        return f"pvc://{ARTIFACTS_CLAIM}/{ARTIFACTS_PREFIX}/{path}"
    raise AllmendeError(
        f"artifact location {artifact_uri!r} is not one KServe can fetch from the cluster",
        fix="register models through the deployed registry, whose artifacts live on its S3 bucket or PVC",
    )
