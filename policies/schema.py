"""The typed shape of a control in the catalogue."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Principle = Literal["accessible", "accountable", "durable", "privacy", "sustainability", "security"]
PRINCIPLES: tuple[Principle, ...] = ("accessible", "accountable", "durable", "privacy", "sustainability", "security")
Point = Literal["deploy", "admission", "registry", "runtime"]
POINTS: tuple[Point, ...] = ("deploy", "admission", "registry", "runtime")
Action = Literal["deny", "warn", "audit"]

SEMVER = r"^\d+\.\d+\.\d+$"
CONTROL_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"


def semver_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(Frozen):
    """A law or principle behind a control, with the article."""

    source: str = Field(min_length=2, description="e.g. 'EU AI Act', 'GDPR', 'Model Openness Framework'")
    article: str = Field(default="", description="e.g. 'Art. 27(1)(f)'; empty for principles without articles")


class Change(Frozen):
    version: str = Field(pattern=SEMVER)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    change: str = Field(min_length=5)
    relaxes: bool = Field(default=False, description="true when the change makes the control less strict")


class ActionByRule(Frozen):
    """An admission action that depends on a sector rule's value (◆ controls)."""

    rule: str
    values: dict[str, Action]


class Control(Frozen):
    id: str = Field(pattern=CONTROL_ID)
    version: str = Field(pattern=SEMVER)
    principle: Principle
    title: str = Field(min_length=5, max_length=80)
    rule: str = Field(min_length=10, max_length=240, description="the rule in one plain sentence")
    why: list[Reason] = Field(min_length=1)
    protects: str = Field(min_length=5, max_length=200, description="who the control protects")
    enforced_at: list[Point] = Field(min_length=1, description="a control enforced nowhere is an error")
    action: Action = Field(default="deny", description="deny blocks; warn and audit only report")
    action_by_rule: ActionByRule | None = None
    parameters: list[str] = Field(default=[], description="Rules fields the control reads (per-sector values)")
    sector_specific: bool = Field(default=False, description="stricter in some sectors (◆)")
    registry_check: str | None = Field(default=None, description="id of the registry check (allmende.models.checks)")
    when: str = Field(min_length=5, description="where and when it is checked, in plain words")
    detail: str = Field(default="", description="technical detail for the second layer of the report")
    changelog: list[Change] = Field(min_length=1)

    @field_validator("rule")
    @classmethod
    def _one_sentence(cls, rule: str) -> str:
        if not rule.endswith(".") or re.search(r"[.!?]\s+[A-Z]", rule[:-1]):
            raise ValueError("the rule must be exactly one sentence ending with a full stop")
        return rule

    @field_validator("enforced_at")
    @classmethod
    def _unique_points(cls, points: list[Point]) -> list[Point]:
        if len(set(points)) != len(points):
            raise ValueError("an enforcement point is listed twice")
        return sorted(points, key=POINTS.index)

    @model_validator(mode="after")
    def _consistent(self) -> Control:
        newest = max(self.changelog, key=lambda c: semver_key(c.version))
        if newest.version != self.version:
            raise ValueError(f"the changelog's newest entry is {newest.version}, but the control is {self.version}")
        if ("registry" in self.enforced_at) != (self.registry_check is not None):
            raise ValueError("a control enforced at the registry names its registry_check, and only then")
        if self.action_by_rule is not None and self.action_by_rule.rule not in self.parameters:
            raise ValueError(f"action_by_rule reads {self.action_by_rule.rule!r}, which is not in parameters")
        return self

    def changes_since(self, version: str) -> list[Change]:
        return [c for c in self.changelog if semver_key(c.version) > semver_key(version)]


class Catalogue(Frozen):
    controls: tuple[Control, ...]

    def get(self, control_id: str) -> Control:
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)

    def ids(self) -> list[str]:
        return [c.id for c in self.controls]

    def at(self, point: Point) -> list[Control]:
        return [c for c in self.controls if point in c.enforced_at]

    def by_principle(self, principle: Principle) -> list[Control]:
        return [c for c in self.controls if c.principle == principle]
