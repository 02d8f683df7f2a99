"""Report generation timed per stack, for `make bench` (target: under 2 s each)."""

from __future__ import annotations

import time
from datetime import date

from allmende.policies.report.make import FORMATS, render, report_data


def time_reports(stacks: tuple[str, ...] = ("science", "health", "manufacturing")) -> dict[str, float]:
    """Seconds to build and render every format of each stack's report."""
    out: dict[str, float] = {}
    for stack in stacks:
        start = time.perf_counter()
        data = report_data(stack, date.today())
        for fmt in FORMATS:
            render(data, fmt)
        out[stack] = round(time.perf_counter() - start, 3)
    return out
