"""The evidence log: one JSON line per audit, appended, never rewritten, chained by hash.

Each record carries `prev`, the sha256 of the record before it (64 zeros for the first), and
`hash`, the sha256 of its own canonical JSON without `hash`. Changing, removing or reordering
any earlier line breaks the chain at that line, which `verify` names. The log lives at
`<state dir>/evidence/<stack>.jsonl` (`ALLMENDE_STATE_DIR` moves it).

Extension point: a copy to an S3-compatible bucket (object lock / WORM) would upload each
appended line as `<stack>/<date>-<hash>.json`; it is not built yet (docs/auditors.md).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from filelock import FileLock

from allmende.devpaths import state_dir
from allmende.errors import AllmendeError

GENESIS = "0" * 64
FORMAT = 1


def log_path(stack: str, root: Path | None = None) -> Path:
    return (root or state_dir()) / "evidence" / f"{stack}.jsonl"


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(record: dict[str, Any]) -> str:
    """The record's own hash: sha256 over its canonical JSON without the `hash` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def seal(record: dict[str, Any], prev: str) -> dict[str, Any]:
    sealed = {**{k: v for k, v in record.items() if k != "hash"}, "prev": prev}
    return {**sealed, "hash": digest(sealed)}


def read(path: Path) -> list[dict[str, Any]]:
    """Every record of the log, after checking the chain; raises on the first broken line."""
    if not path.is_file():
        return []
    records: list[dict[str, Any]] = []
    prev = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}: line {number}"
        try:
            record = json.loads(line)
        except ValueError:
            raise _tampered(where, "is not a JSON record") from None
        if not isinstance(record, dict):
            raise _tampered(where, "is not a JSON record")
        if record.get("prev") != prev:
            raise _tampered(where, "does not follow the record before it (a record was removed, added or reordered)")
        if record.get("hash") != digest(record):
            raise _tampered(where, "was changed after it was written (its hash does not match)")
        prev = str(record["hash"])
        records.append(record)
    return records


def _tampered(where: str, what: str) -> AllmendeError:
    return AllmendeError(
        f"the evidence log was altered: {where} {what}",
        path=where.split(": ")[0],
        fix="keep the log as it is for the investigation; move it aside and the next audit starts a new log",
    )


def verify(path: Path) -> int:
    """How many records the log holds, all chained; raises when it was altered."""
    return len(read(path))


def append(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Seal `record` onto the end of the chain and append it as one line; returns the sealed record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        existing = read(path)
        sealed = seal(record, str(existing[-1]["hash"]) if existing else GENESIS)
        with path.open("a", encoding="utf-8") as log:
            log.write(canonical(sealed) + "\n")
    return sealed


def latest(stack: str, root: Path | None = None) -> dict[str, Any] | None:
    records = read(log_path(stack, root))
    return records[-1] if records else None
