"""The build recipes: wrapper go.mod files, staging replaces, pins and the cache location."""

from __future__ import annotations

from pathlib import Path

import pytest

from allmende import versions
from allmende.toolchain import paths
from allmende.toolchain.gomod import render_go_mod, staging_replacements
from allmende.toolchain.recipes import recipes

UPSTREAM_GO_MOD = """module k8s.io/kubernetes

go 1.26.0

require (
\tgithub.com/blang/semver/v4 v4.0.0
\tk8s.io/api v0.0.0
\tk8s.io/apiserver v0.0.0
\tk8s.io/kube-openapi v0.0.0-20260317180543-43fb72c5454a
\tk8s.io/utils v0.0.0-20260210185600-b8788abfbbc2
)

require k8s.io/client-go v0.0.0 // indirect
"""


def _recipe(tool: str):  # type: ignore[no-untyped-def]
    return next(r for r in recipes() if r.tool == tool)


def test_every_tool_the_engine_and_cluster_need_has_a_recipe() -> None:
    outputs = {o for r in recipes() for o in r.outputs}
    for name in (
        "pulumi",
        "pulumi-language-python",
        "pulumi-language-python-exec",
        "pulumi-resource-pulumi-python",
        "pulumi-resource-kubernetes",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
        "kwok",
    ):
        assert f"bin/{name}" in outputs


def test_recipe_versions_come_from_versions_py() -> None:
    pinned = {pin.version for pin in versions.TOOLS.values()}
    for recipe in recipes():
        for req in recipe.requires:
            assert req.version in pinned, req
        for rep in recipe.replaces:
            assert rep.version in pinned or not rep.version, rep


def test_tool_pins_have_reasons_and_kind_tool() -> None:
    for pin in versions.TOOLS.values():
        assert pin.kind == "tool" and pin.reason and pin.version


def test_pulumi_wrapper_carries_pulumis_replaces_and_sdk_of_the_same_release() -> None:
    text = render_go_mod(_recipe("pulumi"))
    assert f"github.com/pulumi/pulumi/pkg/v3 {versions.TOOLS['pulumi'].version}" in text
    assert f"github.com/pulumi/pulumi/sdk/v3 {versions.TOOLS['pulumi'].version}" in text
    assert "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-" in text
    assert "golang.org/x/text => golang.org/x/text v" in text
    assert "\ttool (\n" not in text and "tool (\n\tgithub.com/pulumi/pulumi/pkg/v3/cmd/pulumi\n)" in text
    ldflags = _recipe("pulumi").binaries[0].ldflags
    assert ldflags == (
        f"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version={versions.TOOLS['pulumi'].version}",
    )


def test_provider_is_built_from_a_copy_with_generated_embeds() -> None:
    recipe = _recipe("pulumi-resource-kubernetes")
    assert recipe.copied_module is not None and recipe.copied_module.into == "src"
    assert "github.com/pulumi/pulumi-kubernetes/provider/v4 => ./src" in render_go_mod(recipe)
    release = versions.TOOLS["pulumi-kubernetes-release"].version.lstrip("v")
    assert recipe.copied_module.generator_args[-1] == release
    assert recipe.binaries[0].ldflags[0].endswith(f"pkg/version.Version={release}")


def test_staging_replacements_cover_exactly_the_v0_0_0_modules() -> None:
    reps = staging_replacements(UPSTREAM_GO_MOD, "v1.36.3")
    assert [(r.old, r.new, r.version) for r in reps] == [
        ("k8s.io/api", "k8s.io/api", "v0.36.3"),
        ("k8s.io/apiserver", "k8s.io/apiserver", "v0.36.3"),
        ("k8s.io/client-go", "k8s.io/client-go", "v0.36.3"),
    ]


def test_kubernetes_binaries_report_the_pinned_version() -> None:
    version = versions.TOOLS["kubernetes"].version
    for binary in _recipe("kubernetes").binaries:
        assert f"-X k8s.io/component-base/version.gitVersion={version}" in binary.ldflags


def test_language_host_installs_the_exec_scripts_executable() -> None:
    scripts = {s.name: s for s in _recipe("pulumi-language-python").scripts}
    assert set(scripts) == {"pulumi-language-python-exec", "pulumi-resource-pulumi-python"}
    assert all(s.mode == 0o755 and s.dest == "bin" for s in scripts.values())


def test_tools_dir_is_under_the_home_cache_and_named_by_the_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_TOOLS_DIR, raising=False)
    assert paths.tools_dir() == Path.home() / ".cache" / "allmende" / "tools" / paths.pins_hash()
    assert len(paths.pins_hash()) == 12 and paths.pins_hash() == paths.pins_hash()
    assert paths.bin_dir() == paths.tools_dir() / "bin"


def test_tools_dir_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.ENV_TOOLS_DIR, str(tmp_path / "tools"))
    assert paths.tools_dir() == tmp_path / "tools"
    assert paths.bin_dir() == tmp_path / "tools" / "bin"
