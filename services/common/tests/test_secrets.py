"""Secrets from AWS Secrets Manager or the environment (`vms_common.secrets`).

AWS cannot be reached from the tests: Secrets Manager is moto's server (the `moto_endpoint`
fixture of conftest.py), talked to over HTTP with boto3 exactly as in production.
"""

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from pydantic import Field, SecretStr, ValidationError

from vms_common import secrets
from vms_common.secrets import SecretError, read_secret, secret_id
from vms_common.settings import ServiceSettings

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-not-a-key", "AWS_SECRET_ACCESS_KEY": "test-not-a-secret"}
STRONG = "s3cr3t-from-secrets-manager-0123456789"


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Secrets Manager client on moto; a fresh prefix and an empty cache for each test."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("SECRETS_MANAGER_PREFIX", f"vms/{uuid.uuid4().hex[:8]}/")
    secrets.clear_cache()
    yield boto3.client("secretsmanager", endpoint_url=moto_endpoint, region_name="us-east-1")
    secrets.clear_cache()


def _put(client: Any, name: str, value: str) -> None:
    identifier = secret_id(name, secrets.prefix())
    try:
        client.create_secret(Name=identifier, SecretString=value)
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=identifier, SecretString=value)


class TokenSettings(ServiceSettings):
    secret_names = ("TEST_API_TOKEN",)
    api_token: SecretStr = Field(min_length=16, validation_alias="TEST_API_TOKEN")


def test_names_are_the_prefix_and_the_setting_in_kebab_case():
    assert secret_id("JWT_SECRET", "vms/prod/") == "vms/prod/jwt-secret"
    assert secret_id("DETECTION_API_TOKEN", "vms-") == "vms-detection-api-token"


def test_secrets_manager_wins_over_the_environment_when_the_prefix_is_set(aws, monkeypatch):
    _put(aws, "JWT_SECRET", STRONG)
    monkeypatch.setenv("JWT_SECRET", "from-the-environment-0123456789-abcdef")

    assert read_secret("JWT_SECRET") == STRONG


def test_a_missing_secret_is_a_clear_error(aws):
    with pytest.raises(SecretError) as error:
        read_secret("RECORDER_API_TOKEN")

    message = str(error.value)
    assert "RECORDER_API_TOKEN" in message
    assert secret_id("RECORDER_API_TOKEN", secrets.prefix()) in message
    assert "not found" in message


def test_an_unreachable_secrets_manager_is_a_clear_error(aws, monkeypatch, closed_port):
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT_URL", f"http://127.0.0.1:{closed_port}")

    with pytest.raises(SecretError) as error:
        read_secret("JWT_SECRET")

    assert "JWT_SECRET" in str(error.value)
    assert "cannot be read" in str(error.value)


def test_without_a_prefix_only_the_environment_is_read(monkeypatch, closed_port):
    # an endpoint that answers nothing: reaching it would fail the read
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT_URL", f"http://127.0.0.1:{closed_port}")
    monkeypatch.delenv("SECRETS_MANAGER_PREFIX", raising=False)
    monkeypatch.setenv("JWT_SECRET", "from-the-environment")
    monkeypatch.delenv("RECORDER_API_TOKEN", raising=False)

    assert read_secret("JWT_SECRET") == "from-the-environment"
    assert read_secret("RECORDER_API_TOKEN") == ""


def test_a_value_is_read_once_per_process(aws):
    _put(aws, "DJANGO_SECRET_KEY", STRONG)
    assert read_secret("DJANGO_SECRET_KEY") == STRONG

    _put(aws, "DJANGO_SECRET_KEY", STRONG + "-rotated")
    assert read_secret("DJANGO_SECRET_KEY") == STRONG

    secrets.clear_cache()
    assert read_secret("DJANGO_SECRET_KEY") == STRONG + "-rotated"


def test_service_settings_take_their_token_from_secrets_manager(aws, monkeypatch):
    _put(aws, "TEST_API_TOKEN", STRONG)
    monkeypatch.setenv("TEST_API_TOKEN", "from-the-environment-0123456789")

    assert TokenSettings().api_token.get_secret_value() == STRONG


def test_service_settings_without_a_prefix_take_the_environment(monkeypatch):
    monkeypatch.delenv("SECRETS_MANAGER_PREFIX", raising=False)
    monkeypatch.setenv("TEST_API_TOKEN", "from-the-environment-0123456789")

    assert TokenSettings().api_token.get_secret_value() == "from-the-environment-0123456789"


def test_service_settings_refuse_to_start_on_a_missing_secret(aws, monkeypatch):
    monkeypatch.setenv("TEST_API_TOKEN", "from-the-environment-0123456789")

    with pytest.raises(SecretError, match="TEST_API_TOKEN"):
        TokenSettings()


@pytest.mark.parametrize("source", ["secrets_manager", "environment"])
def test_service_settings_refuse_a_short_secret_from_either_source(source, aws, monkeypatch):
    if source == "secrets_manager":
        _put(aws, "TEST_API_TOKEN", "short")
    else:
        monkeypatch.delenv("SECRETS_MANAGER_PREFIX")
        monkeypatch.setenv("TEST_API_TOKEN", "short")

    with pytest.raises(ValidationError, match="TEST_API_TOKEN"):
        TokenSettings()


@pytest.mark.parametrize("source", ["secrets_manager", "environment"])
def test_production_refuses_a_secret_under_32_characters_from_either_source(
    source, aws, monkeypatch
):
    monkeypatch.setenv("ENVIRONMENT", "production")
    almost = "x" * 31
    if source == "secrets_manager":
        _put(aws, "TEST_API_TOKEN", almost)
    else:
        monkeypatch.delenv("SECRETS_MANAGER_PREFIX")
        monkeypatch.setenv("TEST_API_TOKEN", almost)

    with pytest.raises(
        ValidationError, match="TEST_API_TOKEN must be a random value of at least 32"
    ):
        TokenSettings()

    if source == "secrets_manager":
        _put(aws, "TEST_API_TOKEN", STRONG)
        secrets.clear_cache()
    else:
        monkeypatch.setenv("TEST_API_TOKEN", STRONG)
    assert TokenSettings().api_token.get_secret_value() == STRONG
