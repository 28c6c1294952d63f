"""Settings are read at import, so each case runs Django in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]
STRONG = "x" * 40 + "-Zq7"


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in (*REQUIRED_SECRETS, "ENVIRONMENT", "DEBUG")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BACKEND,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


# The secrets production requires, in the order the settings read them.
REQUIRED_SECRETS = (
    "DJANGO_SECRET_KEY",
    "JWT_SECRET",
    "RECORDER_API_TOKEN",
    "DETECTION_API_TOKEN",
    "STREAM_PUBLISHER_PASSWORD",
    "STREAM_READER_PASSWORD",
)


def _given_before(name: str, value: str | None) -> dict[str, str]:
    """Every required secret before `name` strong; `name` itself `value` (None: missing)."""
    before = REQUIRED_SECRETS[: REQUIRED_SECRETS.index(name)]
    given = {other: STRONG * 2 for other in before}
    if value is not None:
        given[name] = value
    return given


@pytest.mark.parametrize(
    ("secrets", "named"),
    [(_given_before(name, value), name) for name in REQUIRED_SECRETS for value in (None, "x" * 31)],
)
def test_production_refuses_missing_or_short_secrets(secrets, named):
    result = run_django("check", ENVIRONMENT="production", **secrets)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_django(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ENVIRONMENT="production",
        DJANGO_SECRET_KEY="k2J9-fQ8%zL1@wX5*vB7#nM3^pR6&tY4(hU0)eI2_oA8+sD1=gF9",
        JWT_SECRET="jwt-secret-of-at-least-thirty-two-characters",
        RECORDER_API_TOKEN="recorder-token-of-at-least-thirty-two-chars",
        DETECTION_API_TOKEN="detection-token-of-at-least-thirty-two-chars",
        STREAM_PUBLISHER_PASSWORD="publisher-password-of-at-least-32-chars",
        STREAM_READER_PASSWORD="reader-password-of-at-least-32-characters",
        ALLOWED_HOSTS="vms.example.com",
    )

    assert result.returncode == 0, result.stderr


def test_development_runs_without_any_secret_set():
    result = run_django("check", ENVIRONMENT="development")

    assert result.returncode == 0, result.stderr


def test_an_unknown_environment_is_refused():
    result = run_django("check", ENVIRONMENT="staging")

    assert result.returncode != 0
    assert "ENVIRONMENT" in result.stderr
