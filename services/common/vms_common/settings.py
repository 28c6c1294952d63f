"""Settings every service shares, read from the environment (12-factor)."""

from pathlib import Path
from typing import Literal

from pydantic import Field
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
