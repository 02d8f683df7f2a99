"""The nightly registry backup, as it runs in the cluster (the plan ships this file in a ConfigMap).

Before this program runs, an init container has dumped the database (`pg_dump --format=custom`)
to ALLMENDE_DUMP. This program stores that dump and a listing of every artifact (path, size,
modification time) under `backups/<UTC timestamp>/` of the artifact store — a folder on the
artifacts volume or an S3 bucket — and then deletes all but the newest ALLMENDE_BACKUP_KEEP
backups. Only the standard library is needed for a folder; boto3 (in the MLflow image) for S3.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ARTIFACTS = "artifacts"
BACKUPS = "backups"


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def listing(self) -> Iterator[tuple[str, int, str]]:
        base = self.root / ARTIFACTS
        files = sorted((p for p in base.rglob("*") if p.is_file()), key=lambda p: p.relative_to(base).as_posix())
        for path in files:
            stat = path.stat()
            modified = datetime.fromtimestamp(stat.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            yield path.relative_to(base).as_posix(), stat.st_size, modified

    def save(self, stamp: str, dump: Path, listing: str) -> str:
        final = self.root / BACKUPS / stamp
        partial = self.root / BACKUPS / f".{stamp}.partial"
        partial.mkdir(parents=True, exist_ok=False)
        shutil.copyfile(dump, partial / "mlflow.dump")
        (partial / "artifacts.tsv").write_text(listing, encoding="utf-8")
        partial.rename(final)  # a backup is complete or absent
        return str(final)

    def backups(self) -> list[str]:
        folder = self.root / BACKUPS
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def delete(self, stamp: str) -> None:
        shutil.rmtree(self.root / BACKUPS / stamp)


class S3Store:
    def __init__(self, bucket: str) -> None:
        import boto3

        self.bucket = bucket
        self.s3: Any = boto3.client("s3", endpoint_url=os.environ.get("MLFLOW_S3_ENDPOINT_URL"))

    def _keys(self, prefix: str) -> Iterator[dict[str, Any]]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            yield from page.get("Contents", [])

    def listing(self) -> Iterator[tuple[str, int, str]]:
        prefix = f"{ARTIFACTS}/"
        for obj in sorted(self._keys(prefix), key=lambda o: str(o["Key"])):
            modified = obj["LastModified"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            yield str(obj["Key"])[len(prefix) :], int(obj["Size"]), modified

    def save(self, stamp: str, dump: Path, listing: str) -> str:
        prefix = f"{BACKUPS}/{stamp}"
        self.s3.upload_file(str(dump), self.bucket, f"{prefix}/mlflow.dump")
        self.s3.put_object(Bucket=self.bucket, Key=f"{prefix}/artifacts.tsv", Body=listing.encode())
        return f"s3://{self.bucket}/{prefix}"

    def backups(self) -> list[str]:
        stamps = {str(o["Key"]).split("/")[1] for o in self._keys(f"{BACKUPS}/") if str(o["Key"]).count("/") >= 2}
        return sorted(stamps)

    def delete(self, stamp: str) -> None:
        for obj in list(self._keys(f"{BACKUPS}/{stamp}/")):
            self.s3.delete_object(Bucket=self.bucket, Key=obj["Key"])


def store_for(root: str) -> FolderStore | S3Store:
    if root.startswith("s3://"):
        return S3Store(root.removeprefix("s3://").strip("/"))
    return FolderStore(Path(root))


def run(root: str, dump: Path, keep: int, now: datetime | None = None) -> tuple[str, list[str]]:
    """(where the backup went, the backups deleted)."""
    if not dump.is_file() or dump.stat().st_size == 0:
        raise SystemExit(f"backup: no database dump at {dump}: the dump step failed")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    store = store_for(root)
    rows = ["path\tbytes\tmodified", *(f"{p}\t{size}\t{when}" for p, size, when in store.listing())]
    where = store.save(stamp, dump, "\n".join(rows) + "\n")
    stamps = store.backups()
    old = stamps[: max(len(stamps) - keep, 0)]
    for stamp_old in old:
        store.delete(stamp_old)
    return where, old


def main() -> int:
    root = os.environ["ALLMENDE_ARTIFACTS_ROOT"]
    keep = int(os.environ["ALLMENDE_BACKUP_KEEP"])
    dump = Path(os.environ.get("ALLMENDE_DUMP", "/backup/mlflow.dump"))
    where, deleted = run(root, dump, keep)
    print(f"backup: stored {where}; kept the newest {keep}; deleted {len(deleted)}: {' '.join(deleted) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
