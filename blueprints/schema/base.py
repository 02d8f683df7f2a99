"""The base of every Blueprint model: frozen, typed, unknown keys refused."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    """Frozen, `extra="forbid"`: a typo in a blueprint is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# A Kubernetes-style name: lower-case letters, digits and '-', at most 40 characters
# (room for suffixes such as `-predictor` within the 63-character limit).
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
YearMonth = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
