"""A registry that is down or refuses the password: one clear message, exit code 2, no traceback."""

from __future__ import annotations

from tests.registry.conftest import Server, allmende_process, free_port


def test_a_server_that_is_down_gives_one_clear_message() -> None:
    uri = f"http://127.0.0.1:{free_port()}"
    result = allmende_process(
        "models", "check", "iris", "--version", "1",
        env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": "x" * 16},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"error: cannot reach the MLflow registry at {uri}: connection refused or no route" in result.stderr
    assert "fix: check MLFLOW_TRACKING_URI" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_password_gives_one_clear_message(sqlite_server: Server) -> None:
    result = allmende_process(
        "models", "check", "iris", "--version", "1", env=sqlite_server.env(password="wrong-password")
    )
    assert result.returncode == 2, result.stderr
    assert (
        f"error: the MLflow registry at {sqlite_server.uri} refused user 'admin' (wrong username or password)"
        in result.stderr
    )
    assert "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_tracking_uri_says_which_variable() -> None:
    result = allmende_process("models", "check", "iris", "--version", "1", env={})
    assert result.returncode == 2
    assert "error: MLFLOW_TRACKING_URI is not set: which registry?" in result.stderr
