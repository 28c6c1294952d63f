"""The backend's secrets from AWS Secrets Manager (SECRETS_MANAGER_PREFIX) or the environment.

Settings are read at import, so each case runs Django in a fresh process. AWS cannot be
reached from the tests: Secrets Manager is moto's server (the `moto_endpoint` fixture).
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

MOTO_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test-not-a-key",
    "AWS_SECRET_ACCESS_KEY": "test-not-a-secret",
}
BACKEND = Path(__file__).resolve().parents[2]
SECRETS = (
    "DJANGO_SECRET_KEY",
    "JWT_SECRET",
    "RECORDER_API_TOKEN",
    "DETECTION_API_TOKEN",
    "STREAM_PUBLISHER_PASSWORD",
    "STREAM_READER_PASSWORD",
    "DATABASE_PASSWORD",
)
STRONG = "y" * 40 + "-Kp3"
SHOW = (
    "from django.conf import settings as s; "
    "print(s.JWT_SECRET, s.SECRET_KEY, s.DATABASES['default']['PASSWORD'], sep='|')"
)


@pytest.fixture
def vault(moto_endpoint):
    """A fresh prefix on moto's Secrets Manager, and a function storing one secret there."""
    prefix = f"vms/{uuid.uuid4().hex[:8]}/"
    client = boto3.client(
        "secretsmanager",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id=MOTO_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=MOTO_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )

    def put(name: str, value: str) -> None:
        client.create_secret(Name=prefix + name.lower().replace("_", "-"), SecretString=value)

    env = {
        **MOTO_CREDENTIALS,
        "AWS_REGION": "us-east-1",
        "SECRETS_MANAGER_ENDPOINT_URL": moto_endpoint,
        "SECRETS_MANAGER_PREFIX": prefix,
    }
    return put, env


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in (*SECRETS, "ENVIRONMENT", "DEBUG", "SECRETS_MANAGER_PREFIX")
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


def test_secrets_manager_wins_over_the_environment(vault):
    put, env = vault
    for name in SECRETS:
        put(name, f"{name.lower()}-{STRONG}")

    result = run_django("shell", "-c", SHOW, JWT_SECRET="from-the-environment", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "|".join(
        [f"jwt_secret-{STRONG}", f"django_secret_key-{STRONG}", f"database_password-{STRONG}"]
    )


def test_a_secret_missing_from_secrets_manager_stops_startup(vault):
    put, env = vault
    put("DJANGO_SECRET_KEY", STRONG)

    result = run_django("check", JWT_SECRET=STRONG, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{env['SECRETS_MANAGER_PREFIX']}jwt-secret" in result.stderr
    assert "not found" in result.stderr


def test_production_refuses_a_short_secret_from_secrets_manager(vault):
    put, env = vault
    for name in SECRETS:
        put(name, "x" * 31 if name == "JWT_SECRET" else STRONG)

    result = run_django("check", ENVIRONMENT="production", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "JWT_SECRET" in result.stderr
    assert "at least 32" in result.stderr


def test_without_a_prefix_the_environment_is_read(moto_endpoint):
    result = run_django(
        "shell",
        "-c",
        SHOW,
        JWT_SECRET="jwt-from-the-environment",
        DJANGO_SECRET_KEY="key-from-the-environment",
        DATABASE_PASSWORD="",
        SECRETS_MANAGER_ENDPOINT_URL=moto_endpoint,
    )

    assert result.returncode == 0, result.stderr
    jwt, key, _ = result.stdout.strip().split("|")
    assert (jwt, key) == ("jwt-from-the-environment", "key-from-the-environment")
