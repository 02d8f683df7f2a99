"""Every pin allmende depends on, in one place, each with the reason it is what it is.

Nothing else in the project writes a version string: charts, images, CRDs, Go-built tools and
Python packages are all read from here, and the bill of materials (`allmende render`) is
generated from these tables.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict


class Pin(BaseModel):
    """One pinned artefact: what it is, which version, and why that version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: str  # chart | image | crds | tool | python
    version: str
    source: str  # chart repository, image repository, Go module or PyPI name
    reason: str


# --- Python packages (pyproject.toml carries the same numbers; a unit test keeps them equal) ---
PYTHON: Final[dict[str, Pin]] = {
    p.name: p
    for p in (
        Pin(
            name="pulumi",
            kind="python",
            version="3.260.0",
            source="pulumi",
            reason="must equal the Pulumi CLI built from Go modules (the proxy serves pkg/v3 v3.260.0)",
        ),
        Pin(
            name="pulumi-kubernetes",
            kind="python",
            version="4.25.0",
            source="pulumi-kubernetes",
            reason="must equal the Kubernetes provider built from Go modules (the proxy serves the v4.25.0 commit)",
        ),
        Pin(
            name="pulumi-policy",
            kind="python",
            version="1.21.0",
            source="pulumi-policy",
            reason="newest CrossGuard SDK; pins protobuf ~=5.29 which decides kserve below",
        ),
        Pin(
            name="kserve",
            kind="python",
            version="0.16.0",
            source="kserve",
            reason="kserve>=0.17 needs protobuf>=6.33.5, which pulumi-policy forbids; v1beta1 API unchanged",
        ),
        Pin(
            name="mlflow",
            kind="python",
            version="3.17.2",
            source="mlflow",
            reason="full package (not mlflow-skinny): `mlflow server` needs flask",
        ),
    )
}

# --- Helm charts installed when an operator is `managed` ---
CHARTS: Final[dict[str, Pin]] = {
    p.name: p
    for p in (
        Pin(
            name="cert-manager",
            kind="chart",
            version="v1.17.0",
            source="https://charts.jetstack.io",
            reason="the cert-manager release KServe v0.20 is tested with (webhook certificates)",
        ),
        Pin(
            name="gateway-api",
            kind="chart",
            version="v1.5.1",
            source="https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml",
            reason="Gateway API standard channel that KServe v0.20 pins (a release file, not a chart)",
        ),
        Pin(
            name="kserve-crd",
            kind="chart",
            version="v0.20.0",
            source="oci://ghcr.io/kserve/charts/kserve-crd",
            reason="KServe v0.20: Standard deployment mode with named canary predictors",
        ),
        Pin(
            name="kserve-resources",
            kind="chart",
            version="v0.20.0",
            source="oci://ghcr.io/kserve/charts/kserve-resources",
            reason="controller of KServe v0.20 (chart was `kserve` before 0.17)",
        ),
        Pin(
            name="gpu-operator",
            kind="chart",
            version="v26.7.0",
            source="https://helm.ngc.nvidia.com/nvidia",
            reason="GPU Operator release whose CRDs ship in shared/crds; CRD upgrade runs as a Helm hook",
        ),
        Pin(
            name="kueue",
            kind="chart",
            version="0.19.2",
            source="oci://registry.k8s.io/kueue/charts/kueue",
            reason="Kueue with the v1beta2 storage API (cohortName)",
        ),
    )
}

# --- CRD bundles applied when an operator is `preinstalled` on the local cluster ---
CRDS: Final[dict[str, Pin]] = {
    p.name: p
    for p in (
        Pin(
            name="gateway-api",
            kind="crds",
            version="v1.5.1",
            source="gateway-api-v1.5.1",
            reason="standard channel release KServe v0.20 pins",
        ),
        Pin(
            name="kserve",
            kind="crds",
            version="v0.20.0",
            source="kserve-v0.20.0",
            reason="same release as the kserve-crd chart",
        ),
        Pin(
            name="gpu-operator",
            kind="crds",
            version="v26.7.0",
            source="gpu-operator-v26.7.0",
            reason="same release as the gpu-operator chart",
        ),
        Pin(
            name="kueue",
            kind="crds",
            version="v0.19.2",
            source="kueue-v0.19.2",
            reason="same release as the kueue chart",
        ),
    )
}

# --- Container images the Plan references ---
IMAGES: Final[dict[str, Pin]] = {
    p.name: p
    for p in (
        Pin(
            name="mlflow",
            kind="image",
            version="v3.17.2-full",
            source="ghcr.io/mlflow/mlflow",
            reason="server image of the same release as the mlflow Python pin; the `-full` variant, because the plain "
            "image has no psycopg2 (PostgreSQL backend), boto3 (S3 artifacts) or Flask-WTF (basic auth)",
        ),
        Pin(
            name="kserve-huggingfaceserver",
            kind="image",
            version="v0.20.0",
            source="docker.io/kserve/huggingfaceserver",
            reason="KServe's Hugging Face runtime (vLLM backend, OpenAI routes) of the cluster's KServe release",
        ),
        Pin(
            name="kserve-sklearnserver",
            kind="image",
            version="v0.20.0",
            source="docker.io/kserve/sklearnserver",
            reason="KServe's scikit-learn runtime of the cluster's KServe release",
        ),
        Pin(
            name="mlserver",
            kind="image",
            version="1.7.1",
            source="docker.io/seldonio/mlserver",
            reason="MLServer with the MLflow runtime (V2 protocol), as KServe v0.20's kserve-mlserver uses",
        ),
        Pin(
            name="postgres",
            kind="image",
            version="17.6-bookworm",
            source="docker.io/library/postgres",
            reason="in-cluster registry database; a supported major with a long life ahead",
        ),
    )
}

# --- Go-built tools (engine and local cluster): Go modules the toolchain builds (`allmende tools build`) ---
# The module proxy reachable here is filtered; every version below was checked to be served.
TOOLS: Final[dict[str, Pin]] = {
    p.name: p
    for p in (
        Pin(
            name="go",
            kind="tool",
            version="1.26.6",
            source="the go command on PATH (GOTOOLCHAIN=local: nothing is fetched)",
            reason="newest `go` directive among the built modules (pulumi pkg/sdk v3.260.0); the machine has 1.26.8",
        ),
        Pin(
            name="pulumi",
            kind="tool",
            version="v3.260.0",
            source="github.com/pulumi/pulumi/pkg/v3",
            reason="the Pulumi CLI; must equal the PyPI `pulumi` pin; served by the proxy (v3.270/v3.272 are not)",
        ),
        Pin(
            name="pulumi-sdk",
            kind="tool",
            version="v3.260.0",
            source="github.com/pulumi/pulumi/sdk/v3",
            reason="same release as the CLI (pkg replaces sdk with ../sdk upstream); ships the Python exec scripts",
        ),
        Pin(
            name="pulumi-language-python",
            kind="tool",
            version="v3.260.0",
            source="allmende/toolchain/gosrc/langhost",
            reason="upstream host module (sdk/python/cmd/pulumi-language-python/v3) is 403 at every version tried; "
            "allmende's own host on the pulumi-sdk module, reporting the CLI version",
        ),
        Pin(
            name="pulumi-resource-kubernetes",
            kind="tool",
            version="v4.0.0-20260115033456-f47bc2d6f199",
            source="github.com/pulumi/pulumi-kubernetes/provider/v4",
            reason="the only provider/v4 version the proxy serves (no provider tags exist): the last commit before "
            "the v4.25.0 tag; the tagged commit itself is 403",
        ),
        Pin(
            name="pulumi-kubernetes-release",
            kind="tool",
            version="v4.25.0",
            source="github.com/pulumi/pulumi-kubernetes/sdk/v4",
            reason="release the provider commit belongs to: the version the built provider reports, and the PyPI "
            "`pulumi-kubernetes` version that must go with it",
        ),
        Pin(
            name="kubernetes",
            kind="tool",
            version="v1.36.3",
            source="k8s.io/kubernetes",
            reason="kube-apiserver, -controller-manager, -scheduler; same minor as the `kubernetes<37` (36.x) "
            "Python client; staging modules k8s.io/* v0.36.3 served",
        ),
        Pin(
            name="etcd",
            kind="tool",
            version="v3.6.16",
            source="go.etcd.io/etcd/server/v3",
            reason="the etcd minor Kubernetes 1.36 is tested with (3.6); Debian's etcd 3.4 is too old",
        ),
        Pin(
            name="kwok",
            kind="tool",
            version="v0.8.0",
            source="sigs.k8s.io/kwok",
            reason="fake nodes and pod lifecycle for the local cluster; built against Kubernetes 1.36",
        ),
        Pin(
            name="clipboard-fork",
            kind="tool",
            version="v0.0.0-20241001131231-d02d263e614e",
            source="github.com/tgummerer/clipboard",
            reason="replace for github.com/atotto/clipboard copied from pulumi's own go.mod (pkg and sdk)",
        ),
        Pin(
            name="golang-x-text",
            kind="tool",
            version="v0.39.0",
            source="golang.org/x/text",
            reason="replace copied from pulumi sdk/v3 v3.260.0's go.mod",
        ),
    )
}


def image_ref(name: str) -> str:
    """The full, pinned reference of a planned image (never `:latest`)."""
    pin = IMAGES[name]
    return f"{pin.source}:{pin.version}"


def all_pins() -> list[Pin]:
    """Every pin, sorted by kind then name: the bill of materials."""
    pins = [*PYTHON.values(), *CHARTS.values(), *CRDS.values(), *IMAGES.values(), *TOOLS.values()]
    return sorted(pins, key=lambda p: (p.kind, p.name))
