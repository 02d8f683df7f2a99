"""`models evaluate`: run a version through KServe on a dataset and record what it scored.

The version's artifacts are downloaded, checksummed, loaded as an MLflow pyfunc inside a
`kserve.Model`, and the dataset goes through KServe's V2 `infer` endpoint. The report is
logged in the experiment `allmende-evaluations` and the result is written as tags; a version
whose artifacts do not load is refused, and that refusal is recorded too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from allmende.errors import AllmendeError
from allmende.models import serve
from allmende.models import tags as t
from allmende.models.client import Registry, registry_errors, utc_now
from allmende.models.digest import file_sha256, tree_sha256
from allmende.models.metrics import Criterion, Outcome, judge, parse_criterion, shown

EXPERIMENT = "allmende-evaluations"


class Evaluation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    rows: int
    outcomes: list[Outcome]
    passed: bool
    report_uri: str
    date: str


def read_dataset(path: Path, target: str) -> tuple[dict[str, list[Any]], list[Any]]:
    """(feature columns, target values) of a CSV file with a header row."""
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise AllmendeError(f"no dataset at {path}", fix="name a CSV file with a header row") from None
    except (OSError, ValueError) as exc:
        raise AllmendeError(f"cannot read the dataset {path}: {exc}", fix="use a CSV file with a header row") from None
    if target not in frame.columns:
        raise AllmendeError(
            f"the dataset {path.name} has no column {target!r} (columns: {', '.join(map(str, frame.columns))})",
            fix="name the column that holds the expected answers with --target",
        )
    truth = frame[target].tolist()
    features = frame.drop(columns=[target])
    return {str(c): features[c].tolist() for c in features.columns}, truth


def _record_refusal(registry: Registry, name: str, version: str, checksum: str, reason: str) -> None:
    registry.set_tags(
        name,
        version,
        {
            t.EVALUATION_STATUS: t.FAILED,
            t.EVALUATION_REASON: reason[:500],
            t.EVALUATION_ARTIFACTS_SHA256: checksum,
            t.EVALUATION_DATE: utc_now(),
        },
    )


def _log_report(report: dict[str, Any], outcomes: list[Outcome]) -> str:
    import mlflow

    with registry_errors("logging the evaluation report"):
        mlflow.set_experiment(EXPERIMENT)
        with mlflow.start_run(run_name=f"evaluate {report['model']} v{report['version']}") as run:
            mlflow.set_tags({"allmende.command": "evaluate", "allmende.model": report["model"]})
            mlflow.log_params({"model": report["model"], "version": report["version"], "dataset": report["dataset"]})
            mlflow.log_metrics({o.criterion.metric: o.value for o in outcomes})
            mlflow.log_dict(report, "evaluation/report.json")
    return f"runs:/{run.info.run_id}/evaluation/report.json"


def evaluate(
    registry: Registry, name: str, version: str, dataset: Path, criteria_text: list[str], target: str = "label"
) -> Evaluation:
    import mlflow

    if not criteria_text:
        raise AllmendeError("no criteria to evaluate", fix='add --metric "accuracy>=0.9" (repeatable)')
    criteria: list[Criterion] = [parse_criterion(text) for text in criteria_text]
    columns, truth = read_dataset(dataset, target)
    registry.version(name, version)  # exists?
    artifact_uri = registry.artifact_uri(name, version)
    with tempfile.TemporaryDirectory(prefix="allmende-evaluate-") as tmp:
        local = registry.download(artifact_uri, Path(tmp))
        checksum = tree_sha256(local)
        try:
            model = serve.load_model(name, local)
        except AllmendeError as exc:
            _record_refusal(registry, name, version, checksum, exc.message)
            raise AllmendeError(f"refused: version {version}: {exc.message}", fix=exc.fix) from None
        predicted = serve.predict(model, columns)
    outcomes = judge(criteria, truth, predicted)
    passed = all(o.passed for o in outcomes)
    date = utc_now()
    report: dict[str, Any] = {
        "model": name,
        "version": version,
        "artifacts_sha256": checksum,
        "dataset": dataset.name,
        "dataset_sha256": file_sha256(dataset),
        "rows": len(truth),
        "target": target,
        "served_by": "KServe model server (V2 inference protocol), in-process",
        "criteria": [str(c) for c in criteria],
        "metrics": {o.criterion.metric: o.value for o in outcomes},
        "results": [{"criterion": str(o.criterion), "value": o.value, "passed": o.passed} for o in outcomes],
        "status": t.PASSED if passed else t.FAILED,
        "date": date,
    }
    mlflow.set_tracking_uri(registry.uri)
    report_uri = _log_report(report, outcomes)
    failed = [f"{o.criterion.metric}={o.value:g} (needs {o.criterion})" for o in outcomes if not o.passed]
    values = {
        t.EVALUATION_STATUS: report["status"],
        t.EVALUATION_CRITERIA: ",".join(report["criteria"]),
        t.EVALUATION_METRICS: shown(outcomes),
        t.EVALUATION_DATASET_SHA256: report["dataset_sha256"],
        t.EVALUATION_ARTIFACTS_SHA256: checksum,
        t.EVALUATION_DATE: date,
        t.EVALUATION_REPORT: report_uri,
    }
    if failed:
        values[t.EVALUATION_REASON] = "; ".join(failed)
    registry.set_tags(name, version, values)
    if not failed and t.EVALUATION_REASON in registry.version(name, version).tags:
        registry.delete_tag(name, version, t.EVALUATION_REASON)
    return Evaluation(
        name=name, version=version, rows=len(truth), outcomes=outcomes, passed=passed, report_uri=report_uri, date=date
    )
