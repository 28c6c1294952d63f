"""Settings every service shares, read from the environment (12-factor)."""

import ssl
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from vms_common.secrets import MIN_PRODUCTION_SECRET_LENGTH, prefix, read_secret

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DEFINITIONS = REPO_ROOT / "config" / "rabbitmq" / "definitions.json"

Environment = Literal["development", "test", "production"]


class SecretsManagerSource(PydanticBaseSettingsSource):
    """The settings named in `secret_names`, from AWS Secrets Manager when
    SECRETS_MANAGER_PREFIX is set (`vms_common.secrets`); nothing otherwise, so the
    environment supplies them. Ahead of the environment: Secrets Manager wins."""

    def __init__(self, settings_cls: type[BaseSettings], names: tuple[str, ...]) -> None:
        super().__init__(settings_cls)
        self._names = names

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every name at once

    def __call__(self) -> dict[str, Any]:
        if not prefix():
            return {}
        return {name: read_secret(name) for name in self._names}


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it and adds its own fields."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    # the environment names (validation aliases) of the fields that are secrets: read from
    # AWS Secrets Manager when SECRETS_MANAGER_PREFIX is set (vms_common.secrets)
    secret_names: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            SecretsManagerSource(settings_cls, cls.secret_names),
            env_settings,
            dotenv_settings,
            file_secret_settings,
        )

    environment: Environment = "development"
    log_level: str = "INFO"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    rabbitmq_definitions: Path = Field(default=DEFAULT_DEFINITIONS)

    # internal TLS (docs/tls.md): this service's certificate and key (what uvicorn is given
    # as --ssl-certfile/--ssl-keyfile) and the CA that signs every internal certificate;
    # unset: plain HTTP and the system trust store
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_ca_file: Path | None = None

    @field_validator("tls_cert_file", "tls_key_file", "tls_ca_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="after")
    def _tls_cert_with_key(self) -> Self:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all")
        return self

    @model_validator(mode="after")
    def _production_secrets_are_long(self) -> Self:
        """The backend's rule: in production a secret, from either source, has at least
        MIN_PRODUCTION_SECRET_LENGTH characters."""
        if self.environment != "production":
            return self
        for field_name, field in type(self).model_fields.items():
            if field.validation_alias not in self.secret_names:
                continue
            value = getattr(self, field_name)
            text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
            if len(text) < MIN_PRODUCTION_SECRET_LENGTH:
                raise ValueError(
                    f"{field.validation_alias} must be a random value of at least "
                    f"{MIN_PRODUCTION_SECRET_LENGTH} characters when ENVIRONMENT=production"
                )
        return self

    def tls_client_context(self) -> ssl.SSLContext:
        """Client side of a call to another service: its certificate is verified against
        TLS_CA_FILE (the system trust store when unset) and must name the host called; this
        service's own certificate is presented when the server asks for one."""
        context = ssl.create_default_context(cafile=self.tls_ca_file)
        if self.tls_cert_file is not None and self.tls_key_file is not None:
            context.load_cert_chain(self.tls_cert_file, self.tls_key_file)
        return context
