"""The MLflow model registry: where its database and artifacts live, and how it authenticates."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from allmende.blueprints.schema.base import Name, PositiveInt, Strict, Url


class Database(Strict):
    mode: Literal["in-cluster", "external"] = "in-cluster"
    dsn_secret: str | None = Field(
        default=None, description="external: Secret holding key `dsn` (postgresql+psycopg2://…)"
    )
    storage_gi: PositiveInt = 20

    @model_validator(mode="after")
    def _external(self) -> Database:
        if self.mode == "external" and not self.dsn_secret:
            raise ValueError("an external database needs `dsn_secret`: the Secret that holds its DSN")
        return self


class Artifacts(Strict):
    mode: Literal["s3", "pvc"] = "pvc"
    endpoint: Url | None = None
    bucket: str | None = None
    secret: str | None = Field(default=None, description="s3: Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
    storage_gi: PositiveInt = 100

    @model_validator(mode="after")
    def _s3(self) -> Artifacts:
        if self.mode == "s3" and not (self.endpoint and self.bucket and self.secret):
            raise ValueError("s3 artifacts need `endpoint`, `bucket` and `secret`")
        return self


class Backup(Strict):
    schedule: str = "17 2 * * *"
    keep: PositiveInt = 14


class Registry(Strict):
    namespace: Name = "allmende-registry"
    database: Database = Database()
    artifacts: Artifacts = Artifacts()
    auth: Literal["basic-auth"] = "basic-auth"
    replicas: PositiveInt = 1
    backup: Backup = Backup()
