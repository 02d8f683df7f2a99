"""build_all: idempotence, clear errors, status."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from allmende.errors import AllmendeError
from allmende.toolchain import build_all, tools_status
from allmende.toolchain.gocmd import explain_failure
from allmende.toolchain.paths import ENV_TOOLS_DIR, stamp_path, tools_dir
from allmende.toolchain.recipes import recipes
from allmende.toolchain.status import ToolRecord, require_tools

PROXY_403 = (
    "go: github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3@v3.0.0-20260828130136-22df62fcb27a: "
    "reading https://proxy.golang.org/github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3/@v/"
    "v3.0.0-20260828130136-22df62fcb27a.info: 403 Forbidden\n\tserver response: This module version is not available."
)


@pytest.fixture
def empty_tools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv(ENV_TOOLS_DIR, str(tmp_path / "tools"))
    return tmp_path / "tools"


def _pretend_built(tool: str) -> None:
    recipe = next(r for r in recipes() if r.tool == tool)
    for output in recipe.outputs:
        path = tools_dir() / output
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    record = ToolRecord(tool=tool, version=recipe.version, outputs=recipe.outputs, seconds=1.0, bytes=10)
    stamp_path(tool).parent.mkdir(parents=True, exist_ok=True)
    stamp_path(tool).write_text(record.model_dump_json())


def test_a_built_set_returns_at_once_without_touching_go(empty_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for recipe in recipes():
        _pretend_built(recipe.tool)
    monkeypatch.setenv("PATH", "")  # no go at all: a second build must not need it
    records = build_all(progress=lambda _m: None)
    assert [r.tool for r in records] == [r.tool for r in recipes()]
    assert all(s.built for s in tools_status())


def test_missing_go_is_named(empty_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(AllmendeError) as error:
        build_all(progress=lambda _m: None)
    assert "Go toolchain is not installed" in error.value.message
    assert "apt-get install golang-go" in error.value.fix


def test_unknown_tool_is_refused(empty_tools: Path) -> None:
    with pytest.raises(AllmendeError, match="unknown tool"):
        build_all(progress=lambda _m: None, only=("terraform",))


def test_proxy_refusal_names_the_module_and_version(tmp_path: Path) -> None:
    error = explain_failure("go mod download", PROXY_403, tmp_path / "build.log")
    assert "pulumi-language-python/v3@v3.0.0-20260828130136-22df62fcb27a" in error.message
    assert "does not serve" in error.message and "not available" in error.message


def test_proxy_refusal_inside_json_is_recognised(tmp_path: Path) -> None:
    as_json = '{"Error": "' + PROXY_403.replace("\n", "\\n").replace("\t", "\\t") + '"}'
    error = explain_failure("go mod download -json", as_json, tmp_path / "build.log")
    assert "does not serve github.com/pulumi/pulumi/sdk/python" in error.message


def test_full_disk_and_unreachable_proxy_are_named(tmp_path: Path) -> None:
    assert "disk is full" in explain_failure("go build", "write x: no space left on device", tmp_path).message
    unreachable = explain_failure("go mod tidy", "dial tcp: lookup proxy.golang.org: no such host", tmp_path)
    assert "cannot be reached" in unreachable.message


def test_status_and_require_tools_say_what_is_missing(empty_tools: Path) -> None:
    _pretend_built("etcd")
    status = {s.tool: s for s in tools_status()}
    assert status["etcd"].built and not status["kwok"].built
    assert "bin/kwok" in status["kwok"].missing
    with pytest.raises(AllmendeError) as error:
        require_tools(("etcd", "kube-apiserver", "kwok"))
    assert "kube-apiserver, kwok" in error.value.message
    assert "allmende tools build" in error.value.fix
    assert os.access(require_tools(("etcd",))["etcd"], os.X_OK)
