"""Render the go.mod of a wrapper module."""

from __future__ import annotations

import re

from allmende.toolchain.recipes import GO_DIRECTIVE, Recipe, Replacement

_STAGING = re.compile(r"^\s*(?:require\s+)?(k8s\.io/[A-Za-z0-9._-]+)\s+v0\.0\.0\s*(?://.*)?$", re.MULTILINE)


def staging_replacements(upstream_go_mod: str, release: str) -> tuple[Replacement, ...]:
    """`k8s.io/<m> => k8s.io/<m> v0.<minor>.<patch>` for every staging module the upstream lists at v0.0.0."""
    parts = release.lstrip("v").split(".")
    staging_version = "v0." + ".".join(parts[1:3])
    modules = sorted(set(_STAGING.findall(upstream_go_mod)))
    return tuple(Replacement(old=m, new=m, version=staging_version) for m in modules)


def render_go_mod(recipe: Recipe, extra_replaces: tuple[Replacement, ...] = ()) -> str:
    """The wrapper's go.mod: module, go directive, requires, replaces and tool lines, in a stable order."""
    lines = [f"module {recipe.module}", "", f"go {GO_DIRECTIVE}", "", "require ("]
    lines += [f"\t{r.module} {r.version}" for r in recipe.requires]
    lines.append(")")
    replaces = (*recipe.replaces, *extra_replaces)
    if replaces:
        lines += ["", "replace ("]
        lines += [f"\t{r.old} => {r.new}{' ' + r.version if r.version else ''}" for r in replaces]
        lines.append(")")
    if recipe.tools:
        lines += ["", "tool ("]
        lines += [f"\t{t}" for t in recipe.tools]
        lines.append(")")
    return "\n".join(lines) + "\n"
