"""Secrets from AWS Secrets Manager when configured, from the environment otherwise.

With `SECRETS_MANAGER_PREFIX` set (e.g. `vms/prod/`), the secret `NAME` is the Secrets
Manager secret `<prefix><name-in-kebab>` (`JWT_SECRET` -> `vms/prod/jwt-secret`), as
`terraform/modules/secrets` creates them; the environment is not consulted for it. The
endpoint is `SECRETS_MANAGER_ENDPOINT_URL` or `AWS_ENDPOINT_URL_SECRETSMANAGER` (AWS when
both are empty), the region `AWS_REGION` (or `AWS_DEFAULT_REGION`), credentials boto3's usual
chain. Each value is read once and kept for the life of the process.

Without the prefix, `NAME` is read from the environment. A secret that cannot be read raises
`SecretError` naming the secret and the reason, so the service does not start.
"""

import os
import threading
from collections.abc import Mapping
from typing import Any

PREFIX_VARIABLE = "SECRETS_MANAGER_PREFIX"
ENDPOINT_VARIABLES = ("SECRETS_MANAGER_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETSMANAGER")
CONNECT_TIMEOUT_S = 5
# what production requires of every secret, whatever its source (the backend's rule too)
MIN_PRODUCTION_SECRET_LENGTH = 32
READ_TIMEOUT_S = 10

_cache: dict[tuple[str, str, str], str] = {}
_lock = threading.Lock()


class SecretError(RuntimeError):
    """A secret that is configured but cannot be read (missing, unreadable, not a string)."""


def secret_id(name: str, prefix: str) -> str:
    """The Secrets Manager name of the setting `name`: `JWT_SECRET` -> `<prefix>jwt-secret`."""
    return prefix + name.strip().lower().replace("_", "-")


def prefix(environ: Mapping[str, str] | None = None) -> str:
    """The configured prefix; empty means the environment is the only source."""
    return (os.environ if environ is None else environ).get(PREFIX_VARIABLE, "").strip()


def read_secret(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of the secret `name` ("" when unset in the environment and no prefix is set).

    With a prefix, the secret must exist in Secrets Manager: a missing one raises SecretError.
    """
    env = os.environ if environ is None else environ
    configured = prefix(env)
    if not configured:
        return env.get(name, "")
    endpoint = next((env[v] for v in ENDPOINT_VARIABLES if env.get(v)), "")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    key = (secret_id(name, configured), endpoint, region)
    with _lock:
        if key not in _cache:
            _cache[key] = _fetch(name, key[0], endpoint, region)
        return _cache[key]


def clear_cache() -> None:
    """Forget every value read (the next read goes to Secrets Manager again)."""
    with _lock:
        _cache.clear()


def _fetch(name: str, identifier: str, endpoint: str, region: str) -> str:
    where = f"{name}: secret {identifier!r} in AWS Secrets Manager"
    if endpoint:
        where += f" at {endpoint}"
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:
        raise SecretError(f"{where}: boto3 is not installed") from exc
    try:
        client: Any = boto3.client(
            "secretsmanager",
            endpoint_url=endpoint or None,
            region_name=region,
            config=Config(
                connect_timeout=CONNECT_TIMEOUT_S,
                read_timeout=READ_TIMEOUT_S,
                retries={"max_attempts": 2},
            ),
        )
        answer = client.get_secret_value(SecretId=identifier)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            raise SecretError(
                f"{where}: not found or without a value (put its value, or unset "
                f"{PREFIX_VARIABLE} to read {name} from the environment)"
            ) from exc
        raise SecretError(f"{where}: cannot be read ({code or exc})") from exc
    except BotoCoreError as exc:
        raise SecretError(f"{where}: cannot be read ({exc})") from exc
    value = answer.get("SecretString")
    if not isinstance(value, str):
        raise SecretError(f"{where}: has no string value")
    return value
