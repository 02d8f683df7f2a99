"""Issue 6: the policy-maker report for each stack (target under 2 s each)."""

from __future__ import annotations

from typing import Any

from allmende.policies.report.timing import time_reports


def run() -> dict[str, Any]:
    times = time_reports()
    rows = [{"stack": stack, "seconds (all formats)": seconds} for stack, seconds in times.items()]
    return {
        "title": "report generation (HTML, Markdown, JSON)",
        "rows": rows,
        "verdict": "target: under 2 s per stack",
        "ok": all(s < 2.0 for s in times.values()),
    }
