"""The pure parts of the lifecycle: card parsing, metrics, checksums, storage URIs, canary pinning, tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from allmende.blueprints.schema import Registry
from allmende.blueprints.schema.registry import Artifacts
from allmende.errors import AllmendeError
from allmende.models import tags as t
from allmende.models.card import metadata_tags, parse
from allmende.models.digest import tree_sha256
from allmende.models.lock import CanaryVersion, LockedModel
from allmende.models.metrics import judge, parse_criterion
from allmende.models.pinning import Resolved, pin, public_uri
from allmende.models.sector import resolve
from allmende.modules.model_registry.names import storage_uri

ROOT = Path(__file__).resolve().parents[4]


def test_card_front_matter_becomes_tags() -> None:
    card = parse(
        "---\nlicense: apache-2.0\nopenness_class: 2\ndatasets: [iris, iris-extra]\nbase_model: none\n"
        "co2_eq_emissions: {emissions: 1500, source: codecarbon, training_type: fine-tuning}\n---\n# X\n"
    )
    assert metadata_tags(card) == {
        t.BASE_MODEL: "none",
        t.DATASETS: "iris,iris-extra",
        t.LICENCE: "apache-2.0",
        t.OPENNESS_CLASS: "2",
        t.TRAINING_CO2_KG: "1.5",
        t.TRAINING_EMISSIONS_SOURCE: "codecarbon",
        t.TRAINING_TYPE: "fine-tuning",
    }


def test_broken_front_matter_is_one_clear_error() -> None:
    with pytest.raises(AllmendeError, match="never closed"):
        parse("---\nlicense: mit\n# no end")


def test_criteria_and_metrics() -> None:
    criteria = [parse_criterion("accuracy>=0.9"), parse_criterion(" f1_macro > 0.5 ")]
    outcomes = judge(criteria, [0, 1, 1, 2], [0, 1, 2, 2])
    assert [(str(o.criterion), o.value, o.passed) for o in outcomes] == [
        ("accuracy>=0.9", 0.75, False),
        ("f1_macro>0.5", 0.777778, True),
    ]
    rmse = judge([parse_criterion("rmse<1")], [1.0, 2.0], [1.0, 4.0])[0]
    assert rmse.value == pytest.approx(1.414214) and not rmse.passed
    with pytest.raises(AllmendeError, match="unknown metric 'auc'"):
        parse_criterion("auc>=0.9")
    with pytest.raises(AllmendeError, match="is not a criterion"):
        parse_criterion("accuracy=0.9")


def test_tree_checksum_depends_on_names_and_contents_only(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "sub").mkdir(parents=True)
        (root / "MLmodel").write_text("x", encoding="utf-8")
        (root / "sub" / "w.bin").write_bytes(b"1")
    assert tree_sha256(a) == tree_sha256(b)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", tree_sha256(a))
    (b / "sub" / "w.bin").write_bytes(b"2")
    assert tree_sha256(a) != tree_sha256(b)


def test_storage_uris_are_fetchable_never_registry_references() -> None:
    pvc = Registry()
    s3 = Registry(artifacts=Artifacts(mode="s3", endpoint="https://s3.example.org", bucket="models", secret="k"))
    proxied = "mlflow-artifacts:/1/abc/artifacts/model"
    assert storage_uri(proxied, pvc) == "pvc://mlflow-artifacts/artifacts/1/abc/artifacts/model"
    assert storage_uri(proxied, s3) == "s3://models/artifacts/1/abc/artifacts/model"
    assert storage_uri("mlflow-artifacts://mlflow:5000/1/abc/artifacts/model", s3).startswith(
        "s3://models/artifacts/1/"
    )
    assert storage_uri("s3://other/x", pvc) == "s3://other/x"
    for bad in ("models:/iris/1", "file:///tmp/x", "/tmp/x"):
        with pytest.raises(AllmendeError, match="not one KServe can fetch"):
            storage_uri(bad, pvc)


def test_public_uri_drops_credentials() -> None:
    assert public_uri("https://steward:secret@mlflow.example.org:5000/") == "https://mlflow.example.org:5000/"


def _resolved(version: str) -> Resolved:
    return Resolved(version=version, storage_uri=f"pvc://c/{version}", checksum="sha256:" + version * 64, tags={})


def test_a_new_version_becomes_the_canary_and_is_promoted_at_100() -> None:
    first = pin("chat", "m", "production", _resolved("1"), None, 10)
    assert first.version == "1" and first.canary is None
    assert pin("chat", "m", "production", _resolved("1"), first, 10) == first
    second = pin("chat", "m", "production", _resolved("2"), first, 10)
    assert second.version == "1" and second.canary is not None
    assert (second.canary.version, second.canary.traffic_percent) == ("2", 10)
    raised = second.model_copy(update={"canary": second.canary.model_copy(update={"traffic_percent": 40})})
    assert pin("chat", "m", "production", _resolved("2"), raised, 10).canary == CanaryVersion(
        version="2", storage_uri="pvc://c/2", checksum="sha256:" + "2" * 64, traffic_percent=40
    )
    full = second.model_copy(update={"canary": second.canary.model_copy(update={"traffic_percent": 100})})
    promoted = pin("chat", "m", "production", _resolved("2"), full, 10)
    assert isinstance(promoted, LockedModel) and promoted.version == "2" and promoted.canary is None


def test_rules_need_a_sector_or_stack_to_approve() -> None:
    with pytest.raises(AllmendeError, match="name the rules"):
        resolve(None, None, required=True)
    with pytest.raises(AllmendeError, match="either --sector or --stack"):
        resolve("health", "health", required=True)
    with pytest.raises(AllmendeError, match="no shipped sector named 'hospital'"):
        resolve("hospital", None, required=True)
    assert resolve(None, "health", required=True)[0] == "stack health"


def test_the_steward_guide_lists_every_tag_of_the_vocabulary() -> None:
    guide = (ROOT / "docs" / "model-steward.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(allmende\.[a-z_.0-9]+)` \|", guide, re.MULTILINE))
    assert listed == set(t.KEYS)
