"""The backup program the CronJob runs: a complete backup per night, only the newest N kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from allmende.modules.model_registry.backup_job import run


def test_stores_the_dump_and_an_artifact_listing_and_keeps_the_newest(tmp_path: Path) -> None:
    root = tmp_path / "mlartifacts"
    model = root / "artifacts" / "1" / "abc" / "artifacts" / "model"
    model.mkdir(parents=True)
    (model / "MLmodel").write_text("flavors: {}\n", encoding="utf-8")
    (model / "model.pkl").write_bytes(b"\x00" * 10)
    dump = tmp_path / "mlflow.dump"
    dump.write_bytes(b"PGDMP fake dump")

    for day in (1, 2, 3):
        where, deleted = run(str(root), dump, keep=2, now=datetime(2026, 11, day, 2, 17, tzinfo=UTC))
    assert Path(where).name == "20261103T021700Z"
    assert deleted == ["20261101T021700Z"]
    assert sorted(p.name for p in (root / "backups").iterdir()) == ["20261102T021700Z", "20261103T021700Z"]
    newest = root / "backups" / "20261103T021700Z"
    assert (newest / "mlflow.dump").read_bytes() == b"PGDMP fake dump"
    rows = (newest / "artifacts.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "path\tbytes\tmodified"
    assert [r.split("\t")[:2] for r in rows[1:]] == [
        ["1/abc/artifacts/model/MLmodel", "12"],
        ["1/abc/artifacts/model/model.pkl", "10"],
    ]


def test_a_missing_dump_fails_the_job(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no database dump"):
        run(str(tmp_path), tmp_path / "absent.dump", keep=3)
