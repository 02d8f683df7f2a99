"""The model lifecycle against real registries: a scikit-learn model registered, evaluated through a
real KServe model server, refused while a tag is missing, approved, locked — on SQLite and on
PostgreSQL — plus racing approvals."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from allmende.blueprints.loader import stacks_dir
from allmende.models import tags as t
from allmende.models.client import Registry
from allmende.models.digest import tree_sha256
from allmende.models.lock import read_lock
from allmende.models.mutex import lock_name
from tests.registry.conftest import Server, allmende

CARD = """---
license: MIT
openness_class: 1
source_uri: https://git.example.org/allmende/iris-classifier
source_revision: 3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a
datasets: [uci-iris]
base_model: none
---
# Iris classifier

## Intended use
Teaching examples of supervised classification.

## Out-of-scope use
Any decision about people, plants in the wild, or anything medical.

## Limitations
Three species, four measurements, 150 samples.

## Evaluation
Accuracy on the full iris dataset (see the registry's evaluation report).

## Training data
The UCI iris dataset (Fisher, 1936), CC BY 4.0.
"""


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A trained scikit-learn model saved as an MLflow model, its card, a dataset, a broken copy."""
    import mlflow.sklearn
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    root = tmp_path_factory.mktemp("material")
    features, labels = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=500).fit(features, labels)
    mlflow.sklearn.save_model(model, str(root / "model"), serialization_format="pickle")
    broken = root / "broken"
    shutil.copytree(root / "model", broken)
    (broken / "model.pkl").unlink()
    dataset = root / "iris.csv"
    features.assign(label=labels).to_csv(dataset, index=False)
    card = root / "MODEL_CARD.md"
    card.write_text(CARD, encoding="utf-8")
    return {"model": root / "model", "broken": broken, "dataset": dataset, "card": card}


def stack_file(folder: Path, model: str) -> Path:
    """A stack with one sklearn service following `model@production`, its registry on a volume."""
    document: dict[str, Any] = yaml.safe_load((stacks_dir() / "Pulumi.science.yaml").read_text(encoding="utf-8"))
    blueprint = document["config"]["allmende:blueprint"]
    blueprint["registry"] = {"artifacts": {"mode": "pvc"}}
    blueprint["serving"]["services"] = [
        {
            "name": "galaxy-morphology",
            "tenant": "physics",
            "model": {"name": model, "alias": "production"},
            "runtime": "sklearn",
            "pool": "system",
            "gpus": 0,
            "replicas": {"min": 0, "max": 2},
            "exposure": "internal",
        }
    ]
    blueprint["accountability"]["register"] = {
        "galaxy-morphology": blueprint["accountability"]["register"]["galaxy-morphology"]
    }
    path = folder / "Pulumi.lab.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_lifecycle_register_evaluate_refuse_approve_lock(
    server: Server, material: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = server.env()
    name = f"iris-{server.backend}"

    # register: the metadata from the card, the rest missing on purpose (no emissions yet)
    ran = allmende("models", "register", str(material["model"]), "--name", name, "--card", str(material["card"]),
                   env=env, monkeypatch=monkeypatch)  # fmt: skip
    assert ran.code == 0, ran.err
    assert f"registered {name} version 1" in ran.out
    assert f"{t.LICENCE} = MIT" in ran.out

    # check: what is still missing, each with pass/fail and why; exit 1
    ran = allmende("models", "check", name, "--version", "1", "--sector", "science", env=env, monkeypatch=monkeypatch)
    assert ran.code == 1
    for passing in ("licence-open", "openness-class", "model-card", "provenance-pinned"):
        assert f"pass  {passing}" in ran.out
    assert "FAIL  evaluation-passed" in ran.out and "never evaluated" in ran.out
    assert "FAIL  training-emissions-recorded" in ran.out
    assert "4 of 7 controls pass" in ran.out

    # evaluate through KServe's V2 protocol: passes, recorded as tags and a report
    ran = allmende("models", "evaluate", name, "--version", "1", "--dataset", str(material["dataset"]),
                   "--metric", "accuracy>=0.9", env=env, monkeypatch=monkeypatch)  # fmt: skip
    assert ran.code == 0, ran.err
    assert "150 rows through KServe's V2 inference protocol" in ran.out
    assert "pass  accuracy = 0.9" in ran.out
    registry = Registry(server.uri)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "admin")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", server.password)
    tags = registry.version(name, "1").tags
    assert tags[t.EVALUATION_STATUS] == "passed"
    assert tags[t.EVALUATION_ARTIFACTS_SHA256] == tags[t.ARTIFACTS_SHA256] == tree_sha256(material["model"])
    with_report = registry.download(tags[t.EVALUATION_REPORT], tmp_path / "report")
    assert '"status": "passed"' in with_report.read_text(encoding="utf-8")

    # approve: refused while the emissions tag is missing, listing the unmet control
    ran = allmende("models", "approve", name, "--version", "1", "--by", "Ada Lovelace", "--sector", "science",
                   env=env, monkeypatch=monkeypatch)  # fmt: skip
    assert ran.code == 2
    assert "refused: " + name + " version 1 does not meet 1 control of sector science" in ran.err
    assert "training-emissions-recorded: no training emissions or energy recorded" in ran.err
    assert "production" not in registry.aliases(name)

    registry.set_tags(name, "1", {t.TRAINING_CO2_KG: "0.0004", t.TRAINING_EMISSIONS_SOURCE: "codecarbon 2.8"})
    ran = allmende("models", "approve", name, "--version", "1", "--by", "Ada Lovelace", "--sector", "science",
                   env=env, monkeypatch=monkeypatch)  # fmt: skip
    assert ran.code == 0, ran.err
    assert f"approved: {name} version 1 is now 'production', by Ada Lovelace" in ran.out
    assert registry.aliases(name) == {"production": "1"}
    tags = registry.version(name, "1").tags
    assert (tags[t.REVIEW_STATUS], tags[t.REVIEW_BY], tags[t.REVIEW_ALIAS]) == (
        "approved",
        "Ada Lovelace",
        "production",
    )
    assert tags[t.REVIEW_ACCOUNT] == "admin"

    # lock: a pvc:// storage URI that names the very files on the artifacts volume, their checksum
    stack = stack_file(tmp_path, name)
    ran = allmende("models", "lock", str(stack), env=env, monkeypatch=monkeypatch)
    assert ran.code == 0, ran.err
    lock_file = tmp_path / "lab.models.lock.yaml"
    assert f"wrote {lock_file}" in ran.out
    lock = read_lock(lock_file)
    assert lock is not None and lock.registry == server.uri
    (entry,) = lock.models
    assert (entry.service, entry.model, entry.alias, entry.version) == ("galaxy-morphology", name, "production", "1")
    prefix = "pvc://mlflow-artifacts/"
    assert entry.storage_uri.startswith(prefix)
    on_volume = server.artifacts / entry.storage_uri.removeprefix(prefix)
    assert (on_volume / "MLmodel").is_file()
    assert entry.checksum == tree_sha256(on_volume) == tree_sha256(material["model"])
    assert entry.tags[t.REVIEW_BY] == "Ada Lovelace" and all(k.startswith("allmende.") for k in entry.tags)
    first = lock_file.read_bytes()
    ran = allmende("models", "lock", str(stack), env=env, monkeypatch=monkeypatch)
    assert ran.code == 0 and f"unchanged {lock_file}" in ran.out
    assert lock_file.read_bytes() == first


def test_artifacts_that_do_not_load_are_refused_with_the_reason(
    sqlite_server: Server, material: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sqlite_server.env()
    ran = allmende("models", "register", str(material["broken"]), "--name", "iris-broken", "--licence", "MIT",
                   env=env, monkeypatch=monkeypatch)  # fmt: skip
    assert ran.code == 0, ran.err
    ran = allmende("models", "evaluate", "iris-broken", "--version", "1", "--dataset", str(material["dataset"]),
                   "--metric", "accuracy>=0.9", env=env, monkeypatch=monkeypatch)  # fmt: skip
    assert ran.code == 2
    assert "refused: version 1: the artifacts of iris-broken do not load as an MLflow model" in ran.err
    assert "model.pkl" in ran.err and "Traceback" not in ran.err
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    tags = Registry(sqlite_server.uri).version("iris-broken", "1").tags
    assert tags[t.EVALUATION_STATUS] == "failed" and "do not load" in tags[t.EVALUATION_REASON]


def test_racing_approvals_leave_a_consistent_state(
    sqlite_server: Server, material: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from allmende.models.approve import approve
    from allmende.models.register import Declared, register
    from allmende.models.sector import sector_rules

    for key, value in sqlite_server.env().items():
        monkeypatch.setenv(key, value)
    registry = Registry(sqlite_server.uri)
    name = "iris-race"
    declared = Declared(co2_kg=0.0004, emissions_source="codecarbon 2.8")
    versions = [register(registry, str(material["model"]), name, material["card"], declared).version for _ in range(2)]
    passed = {
        t.EVALUATION_STATUS: "passed",
        t.EVALUATION_METRICS: "accuracy=0.97",
        t.EVALUATION_DATASET_SHA256: "0" * 64,
        t.EVALUATION_DATE: "2026-11-24T10:00:00Z",
    }
    for version in versions:
        tags = registry.version(name, version).tags
        registry.set_tags(name, version, passed | {t.EVALUATION_ARTIFACTS_SHA256: tags[t.ARTIFACTS_SHA256]})

    approvers = [("Ada Lovelace", "sector science"), ("Grace Hopper", "sector manufacturing")]
    rules = {label: sector_rules(label.split()[1]) for _, label in approvers}
    jobs = [(name, versions[0], *approvers[0]), (name, versions[1], *approvers[1]), (name, versions[0], *approvers[1])]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def job(model: str, version: str, by: str, label: str) -> None:
        barrier.wait()
        try:
            approve(Registry(sqlite_server.uri), model, version, by, "production", label, rules[label])
        except BaseException as exc:  # collected and shown below
            errors.append(exc)

    threads = [threading.Thread(target=job, args=spec) for spec in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    winner = registry.aliases(name)["production"]
    assert winner in versions
    for version in versions:
        tags = registry.version(name, version).tags
        pair = (tags[t.REVIEW_BY], tags[t.REVIEW_SECTOR])
        assert pair in approvers, f"version {version} has review tags of two approvals mixed: {pair}"
        assert tags[t.REVIEW_STATUS] == "approved" and tags[t.REVIEW_ALIAS] == "production"
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException):
        registry.client.get_registered_model(lock_name(name))  # released
