"""Read access to the model artefacts: per tenant a ServiceAccount and the S3 credentials Secret.

KServe's storage initializer finds S3 credentials through the predictor's ServiceAccount and
the endpoint in the Secret's annotations. The credentials come from Pulumi secret config
(`allmende:modelStorageAccessKey`, `allmende:modelStorageSecretKey`); only on the local
cluster, which has no object store, are they generated.
"""

from __future__ import annotations

from allmende.blueprints.schema import Blueprint, Tenant
from allmende.modules.labels import meta
from allmende.modules.types import Manifest, SecretKey, SecretSpec

COMPONENT = "model-serving"
SERVICE_ACCOUNT = "allmende-model-reader"
SECRET = "allmende-model-storage"


def service_account(tenant: Tenant) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta(SERVICE_ACCOUNT, COMPONENT, tenant.name, tenant.namespace, tenant=tenant.name),
        "automountServiceAccountToken": False,
        "secrets": [{"name": SECRET}],
    }


def credentials(bp: Blueprint, tenant: Tenant) -> SecretSpec | None:
    artifacts = bp.registry.artifacts
    if artifacts.mode != "s3" or artifacts.endpoint is None:
        return None
    generate = 40 if bp.cluster.kind == "local" else None
    host = artifacts.endpoint.removeprefix("https://").rstrip("/")
    return SecretSpec(
        name=SECRET,
        namespace=tenant.namespace,
        labels=meta(SECRET, COMPONENT, tenant.name, tenant=tenant.name)["labels"],
        annotations={
            "serving.kserve.io/s3-endpoint": host,
            "serving.kserve.io/s3-usehttps": "1",
            "serving.kserve.io/s3-verifyssl": "1",
        },
        keys={
            "AWS_ACCESS_KEY_ID": SecretKey(config="modelStorageAccessKey", generate=generate),
            "AWS_SECRET_ACCESS_KEY": SecretKey(config="modelStorageSecretKey", generate=generate),
        },
    )
