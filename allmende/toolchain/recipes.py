"""How each tool is built: one wrapper Go module per tool, generated from the pins in `versions.TOOLS`.

A wrapper module (`local/<tool>-build`) requires the upstream module at its pin and carries the
`replace` lines the upstream go.mod needs but a dependency cannot inherit; `go build` then makes
the commands listed under `binaries`. Every version string comes from `versions.TOOLS`.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

from allmende.versions import TOOLS


class Requirement(BaseModel):
    """A `require` line of the wrapper module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str
    version: str


class Replacement(BaseModel):
    """A `replace` line: `old => new [version]` (no version for a directory)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    old: str
    new: str
    version: str = ""


class GoBinary(BaseModel):
    """One executable: the Go package to build, the installed name and its link flags."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    package: str
    ldflags: tuple[str, ...] = ()


class Script(BaseModel):
    """A file shipped inside a Go module zip, installed into the tools directory (`dest`/`name`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    module: str
    version: str
    path: str
    dest: str = "bin"
    mode: int = 0o755


class CopiedModule(BaseModel):
    """An upstream module copied into the wrapper (as `into/`) because files must be generated in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str
    version: str
    into: str
    generator: str  # package of the wrapper that is `go run` with `generator_args`
    generator_args: tuple[str, ...]


class Recipe(BaseModel):
    """Everything needed to build one tool from the module proxy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str
    version: str
    module: str
    requires: tuple[Requirement, ...]
    replaces: tuple[Replacement, ...] = ()
    # Modules whose go.mod lists `k8s.io/<staging> v0.0.0` replaced by `./staging/...`: the wrapper
    # replaces each of them with the published staging module of the matching v0.x.y version.
    staging_of: str = ""
    tools: tuple[str, ...] = ()
    own_sources: tuple[tuple[str, str], ...] = ()  # (directory under gosrc/, directory in the wrapper)
    copied_module: CopiedModule | None = None
    binaries: tuple[GoBinary, ...]
    scripts: tuple[Script, ...] = ()

    @property
    def outputs(self) -> tuple[str, ...]:
        """Every file this recipe installs, relative to the tools directory."""
        return tuple(f"bin/{b.name}" for b in self.binaries) + tuple(f"{s.dest}/{s.name}" for s in self.scripts)


# kwok's own "fast" stage set (what kwokctl configures by default), installed for `allmende dev up`.
KWOK_STAGES_DIR: Final[str] = "share/kwok-stages"
KWOK_STAGES: Final[tuple[str, ...]] = (
    "kustomize/stage/node/fast/node-initialize.yaml",
    "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
)


def _v(name: str) -> str:
    return TOOLS[name].version


def _src(name: str) -> str:
    return TOOLS[name].source


def _pulumi_replaces() -> tuple[Replacement, ...]:
    return (
        Replacement(old="github.com/atotto/clipboard", new=_src("clipboard-fork"), version=_v("clipboard-fork")),
        Replacement(old="golang.org/x/text", new=_src("golang-x-text"), version=_v("golang-x-text")),
    )


def _kube_ldflags() -> tuple[str, ...]:
    version = _v("kubernetes")
    major, minor = version.lstrip("v").split(".")[:2]
    base = "k8s.io/component-base/version"
    return (
        f"-X {base}.gitVersion={version}",
        f"-X {base}.gitMajor={major}",
        f"-X {base}.gitMinor={minor}",
        f"-X {base}.gitTreeState=clean",
    )


def recipes() -> tuple[Recipe, ...]:
    """The recipes in build order (small and most needed first)."""
    sdk = Requirement(module=_src("pulumi-sdk"), version=_v("pulumi-sdk"))
    k8s_release = _v("pulumi-kubernetes-release").lstrip("v")
    provider_module = _src("pulumi-resource-kubernetes")
    provider_cmd = f"{provider_module}/cmd/pulumi-resource-kubernetes"
    return (
        Recipe(
            tool="etcd",
            version=_v("etcd"),
            module="local/etcd-build",
            requires=(Requirement(module=_src("etcd"), version=_v("etcd")),),
            tools=(_src("etcd"),),
            binaries=(GoBinary(name="etcd", package=_src("etcd")),),
        ),
        Recipe(
            tool="kwok",
            version=_v("kwok"),
            module="local/kwok-build",
            requires=(Requirement(module=_src("kwok"), version=_v("kwok")),),
            tools=(f"{_src('kwok')}/cmd/kwok",),
            binaries=(GoBinary(name="kwok", package=f"{_src('kwok')}/cmd/kwok"),),
            scripts=tuple(
                Script(
                    name=path.rsplit("/", 1)[1],
                    module=_src("kwok"),
                    version=_v("kwok"),
                    path=path,
                    dest=KWOK_STAGES_DIR,
                    mode=0o644,
                )
                for path in KWOK_STAGES
            ),
        ),
        Recipe(
            tool="kubernetes",
            version=_v("kubernetes"),
            module="local/kubernetes-build",
            requires=(Requirement(module=_src("kubernetes"), version=_v("kubernetes")),),
            staging_of=_src("kubernetes"),
            tools=tuple(
                f"{_src('kubernetes')}/cmd/{c}" for c in ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
            ),
            binaries=tuple(
                GoBinary(name=c, package=f"{_src('kubernetes')}/cmd/{c}", ldflags=_kube_ldflags())
                for c in ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
            ),
        ),
        Recipe(
            tool="pulumi",
            version=_v("pulumi"),
            module="local/pulumi-build",
            requires=(Requirement(module=_src("pulumi"), version=_v("pulumi")), sdk),
            replaces=_pulumi_replaces(),
            tools=(f"{_src('pulumi')}/cmd/pulumi",),
            binaries=(
                GoBinary(
                    name="pulumi",
                    package=f"{_src('pulumi')}/cmd/pulumi",
                    ldflags=(f"-X {_src('pulumi-sdk')}/go/common/version.Version={_v('pulumi')}",),
                ),
            ),
        ),
        Recipe(
            tool="pulumi-language-python",
            version=_v("pulumi-language-python"),
            module="local/pulumi-language-python-build",
            requires=(sdk,),
            replaces=_pulumi_replaces(),
            own_sources=(("langhost", "."),),
            binaries=(
                GoBinary(
                    name="pulumi-language-python",
                    package="local/pulumi-language-python-build",
                    ldflags=(f"-X main.version={_v('pulumi-language-python')}",),
                ),
            ),
            scripts=(
                Script(
                    name="pulumi-language-python-exec",
                    module=sdk.module,
                    version=sdk.version,
                    path="python/cmd/pulumi-language-python-exec",
                ),
                Script(
                    name="pulumi-resource-pulumi-python",
                    module=sdk.module,
                    version=sdk.version,
                    path="python/dist/pulumi-resource-pulumi-python",
                ),
            ),
        ),
        Recipe(
            tool="pulumi-resource-kubernetes",
            version=_v("pulumi-kubernetes-release"),
            module="local/pulumi-resource-kubernetes-build",
            requires=(
                Requirement(module=provider_module, version=_v("pulumi-resource-kubernetes")),
                Requirement(module=_src("pulumi-kubernetes-release"), version=_v("pulumi-kubernetes-release")),
            ),
            replaces=(Replacement(old=provider_module, new="./src"),),
            tools=(provider_cmd,),
            own_sources=(("schemagen", "gen"),),
            copied_module=CopiedModule(
                module=provider_module,
                version=_v("pulumi-resource-kubernetes"),
                into="src",
                generator="./gen",
                generator_args=("src/cmd/pulumi-resource-kubernetes", k8s_release),
            ),
            binaries=(
                GoBinary(
                    name="pulumi-resource-kubernetes",
                    package=provider_cmd,
                    ldflags=(f"-X {provider_module}/pkg/version.Version={k8s_release}",),
                ),
            ),
        ),
    )


GO_DIRECTIVE: Final[str] = TOOLS["go"].version
