"""Evaluation criteria (`accuracy>=0.9`) and the metrics they name, computed without side effects."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from allmende.errors import AllmendeError

Values = Sequence[object]


def accuracy(truth: Values, predicted: Values) -> float:
    return sum(1 for a, b in zip(truth, predicted, strict=True) if _same(a, b)) / len(truth)


def macro_f1(truth: Values, predicted: Values) -> float:
    labels = sorted({str(v) for v in truth} | {str(v) for v in predicted})
    scores = []
    for label in labels:
        tp = sum(1 for a, b in zip(truth, predicted, strict=True) if str(a) == label and str(b) == label)
        fp = sum(1 for a, b in zip(truth, predicted, strict=True) if str(a) != label and str(b) == label)
        fn = sum(1 for a, b in zip(truth, predicted, strict=True) if str(a) == label and str(b) != label)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def _floats(values: Values) -> list[float]:
    try:
        return [float(v) for v in values]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AllmendeError("a regression metric needs numeric targets and predictions") from None


def mae(truth: Values, predicted: Values) -> float:
    a, b = _floats(truth), _floats(predicted)
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def rmse(truth: Values, predicted: Values) -> float:
    a, b = _floats(truth), _floats(predicted)
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) / len(a))


def r2(truth: Values, predicted: Values) -> float:
    a, b = _floats(truth), _floats(predicted)
    mean = sum(a) / len(a)
    total = sum((x - mean) ** 2 for x in a)
    residual = sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
    return 1.0 - residual / total if total else (1.0 if residual == 0 else 0.0)


def _same(a: object, b: object) -> bool:
    if a == b:
        return True
    try:
        return float(a) == float(b)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(a) == str(b)


METRICS: dict[str, Callable[[Values, Values], float]] = {
    "accuracy": accuracy,
    "f1_macro": macro_f1,
    "mae": mae,
    "rmse": rmse,
    "r2": r2,
}
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, x: v >= x,
    "<=": lambda v, x: v <= x,
    ">": lambda v, x: v > x,
    "<": lambda v, x: v < x,
}
CRITERION = re.compile(r"^\s*([a-z0-9_]+)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    op: str
    threshold: float

    def met(self, value: float) -> bool:
        return OPERATORS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.threshold:g}"


def parse_criterion(text: str) -> Criterion:
    match = CRITERION.match(text)
    if not match:
        raise AllmendeError(
            f"--metric {text!r} is not a criterion", fix='write METRIC OP NUMBER, e.g. "accuracy>=0.9" or "rmse<2.5"'
        )
    metric, op, number = match.groups()
    if metric not in METRICS:
        raise AllmendeError(f"unknown metric {metric!r}", fix=f"use one of: {', '.join(METRICS)}")
    return Criterion(metric=metric, op=op, threshold=float(number))


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    criterion: Criterion
    value: float
    passed: bool


def judge(criteria: Sequence[Criterion], truth: Values, predicted: Values) -> list[Outcome]:
    if len(truth) != len(predicted):
        raise AllmendeError(f"the model returned {len(predicted)} predictions for {len(truth)} rows")
    if not truth:
        raise AllmendeError("the dataset has no rows", fix="evaluate on a non-empty dataset")
    out = []
    for criterion in criteria:
        value = round(METRICS[criterion.metric](truth, predicted), 6)
        out.append(Outcome(criterion=criterion, value=value, passed=criterion.met(value)))
    return out


def shown(outcomes: Sequence[Outcome]) -> str:
    return ",".join(f"{o.criterion.metric}={o.value:g}" for o in outcomes)
