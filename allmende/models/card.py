"""Model cards: a Markdown file with YAML front matter (the Hugging Face card layout).

The front matter may carry the metadata a registration needs (`license`, `datasets`,
`base_model`, `co2_eq_emissions`, and allmende's own `openness_class`, `source_uri`,
`source_revision`); the body must have the sections a reader needs to judge the model.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from allmende.errors import AllmendeError

# Section -> words one of the card's headings must contain (case-insensitive).
REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    "intended use": ("intended use", "direct use"),
    "out-of-scope use": ("out-of-scope", "out of scope"),
    "limitations": ("limitation",),
    "evaluation": ("evaluation",),
    "training data": ("training data",),
}
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


class Card(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metadata: dict[str, Any]
    headings: tuple[str, ...]

    def missing_sections(self) -> list[str]:
        lowered = [h.lower() for h in self.headings]
        return [
            section
            for section, words in REQUIRED_SECTIONS.items()
            if not any(word in heading for heading in lowered for word in words)
        ]


def parse(text: str, source: str = "model card") -> Card:
    metadata: dict[str, Any] = {}
    body = text
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) != 2:
            raise AllmendeError(
                f"{source}: the front matter opened with `---` is never closed", fix="end it with `---`"
            )
        try:
            loaded = yaml.safe_load(parts[0][3:])
        except yaml.YAMLError as exc:
            raise AllmendeError(f"{source}: front matter is not valid YAML ({exc})", fix="correct the YAML") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise AllmendeError(f"{source}: front matter must be a mapping", fix="write `key: value` lines")
        metadata = loaded or {}
        body = parts[1]
    return Card(metadata=metadata, headings=tuple(HEADING.findall(body)))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else None
    return str(value)


def metadata_tags(card: Card) -> dict[str, str]:
    """The registration tags the card's front matter provides (allmende.* keys)."""
    from allmende.models import tags

    meta = card.metadata
    out: dict[str, str | None] = {
        tags.LICENCE: _text(meta.get("license")),
        tags.OPENNESS_CLASS: _text(meta.get("openness_class")),
        tags.SOURCE_URI: _text(meta.get("source_uri")),
        tags.SOURCE_REVISION: _text(meta.get("source_revision")),
        tags.DATASETS: _text(meta.get("datasets")),
        tags.BASE_MODEL: _text(meta.get("base_model")),
    }
    co2 = meta.get("co2_eq_emissions")
    if isinstance(co2, dict):
        grams = co2.get("emissions")  # the Hugging Face card field is in grams
        out[tags.TRAINING_CO2_KG] = None if grams is None else _kg(grams)
        out[tags.TRAINING_EMISSIONS_SOURCE] = _text(co2.get("source"))
        out[tags.TRAINING_TYPE] = _text(co2.get("training_type"))
        out[tags.TRAINING_LOCATION] = _text(co2.get("geographical_location"))
        out[tags.TRAINING_HARDWARE] = _text(co2.get("hardware_used"))
    elif co2 is not None:
        out[tags.TRAINING_CO2_KG] = _kg(co2)
    energy = meta.get("training_energy_kwh")
    out[tags.TRAINING_ENERGY_KWH] = _text(energy)
    return {k: v for k, v in sorted(out.items()) if v is not None}


def _kg(grams: Any) -> str:
    try:
        return f"{float(grams) / 1000:g}"
    except (TypeError, ValueError):
        raise AllmendeError(
            f"model card: co2_eq_emissions {grams!r} is not a number of grams", fix="write the grams as a number"
        ) from None
