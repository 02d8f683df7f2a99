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
            name="kserve-runtime-configs",
            kind="chart",
            version="v0.20.0",
            source="oci://ghcr.io/kserve/charts/kserve-runtime-configs",
            reason="ClusterServingRuntimes matching the KServe v0.20 controller",
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
            version="v3.17.2",
            source="ghcr.io/mlflow/mlflow",
            reason="server image of the same release as the mlflow Python pin",
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

# --- Go-built tools (engine and local cluster); filled in by the toolchain ---
TOOLS: Final[dict[str, Pin]] = {}


def image_ref(name: str) -> str:
    """The full, pinned reference of a planned image (never `:latest`)."""
    pin = IMAGES[name]
    return f"{pin.source}:{pin.version}"


def all_pins() -> list[Pin]:
    """Every pin, sorted by kind then name: the bill of materials."""
    pins = [*PYTHON.values(), *CHARTS.values(), *CRDS.values(), *IMAGES.values(), *TOOLS.values()]
    return sorted(pins, key=lambda p: (p.kind, p.name))
