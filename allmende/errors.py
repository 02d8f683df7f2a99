"""Errors for people: what is wrong, where (a dotted path), and how to fix it."""

from __future__ import annotations


class AllmendeError(Exception):
    """A problem the user can fix. The CLI prints it without a traceback and exits with 2."""

    def __init__(self, message: str, *, path: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.fix = fix

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        how = f"\n  fix: {self.fix}" if self.fix else ""
        return f"{where}{self.message}{how}"


class Problem:
    """One problem among several found in the same input."""

    __slots__ = ("fix", "message", "path")

    def __init__(self, path: str, message: str, fix: str = "") -> None:
        self.path = path
        self.message = message
        self.fix = fix

    def render(self) -> str:
        how = f" — {self.fix}" if self.fix else ""
        return f"{self.path or '(top level)'}: {self.message}{how}"

    def __repr__(self) -> str:
        return f"Problem({self.render()!r})"


class InvalidInput(AllmendeError):
    """Every problem of one input at once (a blueprint, a catalogue, a lock file)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} {noun}")

    def render(self) -> str:
        lines = [self.message]
        lines += [f"  - {p.render()}" for p in self.problems]
        return "\n".join(lines)
