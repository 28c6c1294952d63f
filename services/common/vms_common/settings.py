"""Settings every service shares, read from the environment (12-factor)."""

import ssl
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DEFINITIONS = REPO_ROOT / "config" / "rabbitmq" / "definitions.json"

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it and adds its own fields."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

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

    def tls_client_context(self) -> ssl.SSLContext:
        """Client side of a call to another service: its certificate is verified against
        TLS_CA_FILE (the system trust store when unset) and must name the host called; this
        service's own certificate is presented when the server asks for one."""
        context = ssl.create_default_context(cafile=self.tls_ca_file)
        if self.tls_cert_file is not None and self.tls_key_file is not None:
            context.load_cert_chain(self.tls_cert_file, self.tls_key_file)
        return context
