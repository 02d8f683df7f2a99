"""Pydantic's validation errors, turned into problems people can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from allmende.errors import Problem


def dotted(loc: tuple[int | str, ...]) -> str:
    """('serving', 'services', 2, 'tenant') -> 'serving.services[2].tenant'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _strip(annotation: Any) -> Any:
    """Drop Annotated and Optional wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _strip(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        return models[0] if models else (members[0] if len(members) == 1 else annotation)
    return annotation


def _field(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that a location inside `root` points into (through lists and dicts)."""
    current: Any = root
    for part in loc:
        current = _strip(current)
        origin = typing.get_origin(current)
        if origin is list:
            current = typing.get_args(current)[0]
        elif origin is dict:
            current = typing.get_args(current)[1]
        elif isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            current = _field(current, part)
        else:
            return None
    current = _strip(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _keys(model: type[BaseModel]) -> list[str]:
    return sorted(info.alias or name for name, info in model.model_fields.items())


def _unknown_key(root: type[BaseModel], loc: tuple[int | str, ...]) -> Problem:
    key = str(loc[-1])
    model = model_at(root, loc[:-1])
    known = _keys(model) if model else []
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    fix = f"did you mean {close[0]!r}?" if close else (f"known keys here: {', '.join(known)}" if known else "remove it")
    return Problem(dotted(loc), f"unknown key {key!r}", fix)


_FIXES = {
    "missing": "add it",
    "string_too_long": "shorten it",
    "string_too_short": "write more",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "float_parsing": "write a number",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "string_type": "write text",
    "greater_than_equal": "raise it",
    "greater_than": "raise it",
    "too_short": "add entries",
    "too_long": "remove entries",
    "dict_type": "write a mapping (key: value)",
    "list_type": "write a list (- item)",
    "model_type": "write a mapping (key: value)",
    "model_attributes_type": "write a mapping (key: value)",
}

# pattern -> (what is wrong, how to fix it)
_PATTERNS = {
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$": ("not an e-mail address", "write an address such as ai-office@example.org"),
    r"^https://[^\s]+$": ("not an https:// address", "write a full https:// address"),
    r"^[A-Z]{2}$": ("not a two-letter country code", "write an ISO 3166-1 code in capitals, e.g. DE or NL"),
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": (
        "not a valid name",
        "use lower-case letters, digits and '-', starting and ending with a letter or digit",
    ),
    r"^\d{4}-\d{2}-\d{2}$": ("not a date", "write it as YYYY-MM-DD"),
    r"^\d{4}-\d{2}$": ("not a year and month", "write it as YYYY-MM"),
    r"^[0-9a-f]{64}$": ("not a sha256 digest", "write 64 lower-case hexadecimal characters"),
    r"^\d+\.\d+\.\d+$": ("not a semantic version", "write it as MAJOR.MINOR.PATCH, e.g. 1.2.0"),
    r"^1\.\d+$": ("not a Kubernetes minor version", "write it as 1.NN, e.g. 1.36"),
}


def _describe(err: Any) -> tuple[str, str]:
    """(message, fix) for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required but missing", "add it"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, "), ""
    if kind in ("literal_error", "enum"):
        return f"{err.get('input')!r} is not allowed", f"use one of: {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(
            str(ctx.get("pattern")), ("does not have the expected form", f"match {ctx.get('pattern')}")
        )
    return str(err["msg"]), _FIXES.get(kind, "")


def problems_from(error: ValidationError, root: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    for err in error.errors():
        loc = tuple(err["loc"])
        # unions report one error per member; keep the first member's view of a location
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("int", "str", "literal['auto']"))))
        if err["type"] == "extra_forbidden":
            problems.append(_unknown_key(root, loc))
            continue
        message, fix = _describe(err)
        problems.append(Problem(dotted(loc), message, fix))
    unique: dict[tuple[str, str], Problem] = {}
    for problem in problems:
        unique.setdefault((problem.path, problem.message), problem)
    return list(unique.values())
