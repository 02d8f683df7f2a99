"""The plain words of the report's first layer."""

from __future__ import annotations

from allmende.policies.context import Status
from allmende.policies.schema import Principle

STATUS_WORDS: dict[Status, str] = {
    "met": "Met",
    "not-met": "Not met",
    "exception": "Exception",
    "pending": "Waiting for first check",
}
PRINCIPLE_WORDS: dict[Principle, tuple[str, str]] = {
    "accessible": ("Accessible", "Open models, open to everyone who should use them, shared fairly."),
    "accountable": ("Accountable", "We say what runs, why, and who answers for it."),
    "durable": ("Durable", "Built to last: supported software, fixed versions, regular reviews."),
    "privacy": ("Private", "What people type stays theirs, and data stays where it may be."),
    "sustainability": ("Sustainable", "We measure energy and do not waste it."),
    "security": ("Secure", "Only trusted software, locked-down workloads, encrypted traffic."),
}
POINT_WORDS = {
    "deploy": "before every deployment",
    "admission": "by the cluster, every time something starts",
    "registry": "when a model version is approved",
    "runtime": "while the service runs, by regular checks",
}
INTRO = (
    "This report shows which rules our AI services follow. "
    "Machines check the rules before anything is deployed, when it starts, and while it runs. "
    "Each rule below says in one sentence what it asks, and why."
)


def counted(counts: dict[str, int]) -> str:
    """`We check 44 rules. 38 are met, 1 is not met, …` with the verbs agreeing."""

    def are(n: int) -> str:
        return f"{n} is" if n == 1 else f"{n} are"

    def has(n: int) -> str:
        return f"{n} has" if n == 1 else f"{n} have"

    def waits(n: int) -> str:
        return f"{n} waits" if n == 1 else f"{n} wait"

    total = sum(counts.values())
    return (
        f"We check {total} rules. {are(counts['met'])} met, {are(counts['not-met'])} not met, "
        f"{has(counts['exception'])} an exception, and {waits(counts['pending'])} for their first check."
    )
