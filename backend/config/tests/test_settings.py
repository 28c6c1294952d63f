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
        if key
        not in ("DJANGO_SECRET_KEY", "JWT_SECRET", "RECORDER_API_TOKEN", "ENVIRONMENT", "DEBUG")
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


@pytest.mark.parametrize(
    ("secrets", "named"),
    [
        ({}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short", "JWT_SECRET": STRONG}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": STRONG * 2}, "JWT_SECRET"),
        ({"DJANGO_SECRET_KEY": STRONG * 2, "JWT_SECRET": "x" * 31}, "JWT_SECRET"),
        ({"DJANGO_SECRET_KEY": STRONG * 2, "JWT_SECRET": STRONG}, "RECORDER_API_TOKEN"),
        (
            {"DJANGO_SECRET_KEY": STRONG * 2, "JWT_SECRET": STRONG, "RECORDER_API_TOKEN": STRONG},
            "STREAM_PUBLISHER_PASSWORD",
        ),
        (
            {
                "DJANGO_SECRET_KEY": STRONG * 2,
                "JWT_SECRET": STRONG,
                "RECORDER_API_TOKEN": STRONG,
                "STREAM_PUBLISHER_PASSWORD": STRONG,
                "STREAM_READER_PASSWORD": "x" * 31,
            },
            "STREAM_READER_PASSWORD",
        ),
    ],
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
