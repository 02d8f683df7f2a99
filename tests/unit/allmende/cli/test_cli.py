"""The CLI as a person uses it: exit codes, messages without tracebacks, nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allmende", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_validate_accepts_the_three_stacks() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    for stack in ("science", "health", "manufacturing"):
        assert f"ok {stack}:" in result.stdout


def test_bad_blueprint_exits_2_with_path_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sector: science\ninstitution: {name: X}\ncluster: {pools: []}\ntenants: []\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "institution.country: required but missing — add it" in result.stderr
    assert "cluster.pools: List should have at least 1 item" in result.stderr


def test_render_twice_is_identical_and_failure_writes_nothing(tmp_path: Path) -> None:
    assert run("render", "science", "--out", str(tmp_path / "a")).returncode == 0
    assert run("render", "science", "--out", str(tmp_path / "b")).returncode == 0
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b and len(a) > 20
    bad = tmp_path / "bad.yaml"
    bad.write_text("sector: health\n", encoding="utf-8")
    failed = run("render", str(bad), "--out", str(tmp_path / "c"))
    assert failed.returncode == 2 and not (tmp_path / "c").exists()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.yaml").write_text("name: x\nruntime: python\n", encoding="utf-8")
    assert run("init", "health", "--stack", "clinic", cwd=tmp_path).returncode == 0
    again = run("init", "health", "--stack", "clinic", cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr
    assert run("validate", "clinic", cwd=tmp_path).returncode == 0


def test_explain_shows_origins() -> None:
    result = run("explain", "science", "--only", "rules.scale_to_zero")
    assert result.returncode == 0
    assert "profile science" in result.stdout
