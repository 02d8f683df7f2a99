"""allmende - infrastructure-as-code for public AI infrastructure."""

from __future__ import annotations

__version__ = "0.1.0"
