"""Secrets allmende generates itself (passwords, tokens), kept in the Pulumi state as secrets.

A dynamic resource instead of pulumi-random: its provider runs in the Python provider host
the toolchain builds, so no further Go provider is needed. The value is made once, on create;
later `up`s keep it; changing the length replaces it.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

ALPHABET = string.ascii_letters + string.digits


class _Generator(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        length = int(props["length"])
        value = "".join(secrets.choice(ALPHABET) for _ in range(length))
        return CreateResult(id_=uuid.uuid4().hex, outs={"length": length, "result": value})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = int(olds.get("length", 0)) != int(news["length"])
        return DiffResult(changes=changed, replaces=["length"] if changed else [], delete_before_replace=False)


class GeneratedSecret(Resource):
    """A random alphanumeric secret of `length` characters; read it from `.result`."""

    result: pulumi.Output[str]

    def __init__(self, name: str, length: int, opts: pulumi.ResourceOptions | None = None) -> None:
        options = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["result"]))
        super().__init__(_Generator(), name, {"length": length, "result": None}, options)
