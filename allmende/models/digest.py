"""Checksums: of one file, and of a folder of artifacts (every relative path and its content)."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def tree_sha256(root: Path) -> str:
    """`sha256:<hex>` over the sorted relative paths and contents of every file below `root`.

    The same files give the same checksum wherever they are (paths use `/`, no timestamps).
    A single file is hashed as a folder holding only that file.
    """
    files = (
        [root]
        if root.is_file()
        else sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())
    )
    digest = hashlib.sha256()
    for path in files:
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        digest.update(f"{rel}\0{file_sha256(path)}\n".encode())
    return f"sha256:{digest.hexdigest()}"
