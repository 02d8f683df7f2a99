"""`models register`: a model (a local MLflow model folder, or a run/model URI) becomes a version
with its accountability metadata: licence, openness, provenance, emissions and its model card.

The card's front matter supplies defaults; flags win. The registration itself runs in the
experiment `allmende-registrations`, which keeps the card (and, for a folder, the model).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from allmende.errors import AllmendeError
from allmende.models import tags as t
from allmende.models.card import metadata_tags, parse
from allmende.models.client import Registry, registry_errors
from allmende.models.digest import file_sha256, tree_sha256

EXPERIMENT = "allmende-registrations"
URI_SCHEMES = ("runs:/", "models:/")


class Declared(BaseModel):
    """What the steward declares on the command line (each wins over the card)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    licence: str | None = None
    openness_class: int | None = None
    source_uri: str | None = None
    source_revision: str | None = None
    datasets: tuple[str, ...] = ()
    base_model: str | None = None
    co2_kg: float | None = None
    energy_kwh: float | None = None
    emissions_source: str | None = None

    def tags(self) -> dict[str, str]:
        values: dict[str, str | None] = {
            t.LICENCE: self.licence,
            t.OPENNESS_CLASS: None if self.openness_class is None else str(self.openness_class),
            t.SOURCE_URI: self.source_uri,
            t.SOURCE_REVISION: self.source_revision,
            t.DATASETS: ",".join(self.datasets) if self.datasets else None,
            t.BASE_MODEL: self.base_model,
            t.TRAINING_CO2_KG: None if self.co2_kg is None else f"{self.co2_kg:g}",
            t.TRAINING_ENERGY_KWH: None if self.energy_kwh is None else f"{self.energy_kwh:g}",
            t.TRAINING_EMISSIONS_SOURCE: self.emissions_source,
        }
        return {k: v for k, v in values.items() if v is not None}


class Registered(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    tags: dict[str, str]


def _kind(source: str) -> str:
    if source.startswith(URI_SCHEMES):
        return "uri"
    path = Path(source)
    if path.is_dir() and (path / "MLmodel").is_file():
        return "folder"
    if path.exists():
        raise AllmendeError(
            f"{source} is not an MLflow model folder (no MLmodel file in it)",
            fix="save the model with mlflow.<flavor>.save_model(model, PATH), or name a runs:/ or models:/ URI",
        )
    raise AllmendeError(f"no model at {source}", fix="name an MLflow model folder, runs:/RUN_ID/PATH or models:/m-ID")


def _checksum(registry: Registry, source: str, kind: str) -> str:
    if kind == "folder":
        return tree_sha256(Path(source))
    with tempfile.TemporaryDirectory(prefix="allmende-register-") as tmp:
        return tree_sha256(registry.download(source, Path(tmp)))


def register(registry: Registry, source: str, name: str, card_path: Path | None, declared: Declared) -> Registered:
    import mlflow

    kind = _kind(source)
    values: dict[str, str] = {}
    card_text: str | None = None
    if card_path is not None:
        try:
            card_text = card_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AllmendeError(
                f"cannot read the model card {card_path}: {exc.strerror}", fix="check the path"
            ) from None
        values.update(metadata_tags(parse(card_text, str(card_path))))
    values.update(declared.tags())
    values[t.ARTIFACTS_SHA256] = _checksum(registry, source, kind)

    mlflow.set_tracking_uri(registry.uri)
    with registry_errors(f"registering {name!r}"):
        mlflow.set_experiment(EXPERIMENT)
        with mlflow.start_run(run_name=f"register {name}") as run:
            mlflow.set_tag("allmende.command", "register")
            if card_text is not None and card_path is not None:
                mlflow.log_artifact(str(card_path), artifact_path="card")
                values[t.MODEL_CARD] = f"runs:/{run.info.run_id}/card/{card_path.name}"
                values[t.MODEL_CARD_SHA256] = file_sha256(card_path)
            model_uri = source
            if kind == "folder":
                mlflow.log_artifacts(source, artifact_path="model")
                model_uri = f"runs:/{run.info.run_id}/model"
        version = mlflow.register_model(model_uri, name, tags=dict(sorted(values.items())))
    return Registered(name=name, version=str(version.version), tags=t.ours(dict(version.tags) or values))
