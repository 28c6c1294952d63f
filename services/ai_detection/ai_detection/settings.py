"""AI detection settings, read from the environment."""

from typing import Any

from pydantic import Field, SecretStr, field_validator

from ai_detection.application.cost_tracker import DEFAULT_PRICES, Budgets
from vms_common.relay import redact, relay_camera_url
from vms_common.settings import ServiceSettings


class DetectionSettings(ServiceSettings):
    # from AWS Secrets Manager with SECRETS_MANAGER_PREFIX
    secret_names = ("DETECTION_API_TOKEN", "STREAM_READER_PASSWORD")
    relay_rtsp_base: str = "rtsp://127.0.0.1:8554"
    # the internal reader the relay admits (the backend's STREAM_READER_USER and _PASSWORD);
    # without a password the camera URLs carry no credentials
    relay_reader_user: str = Field(default="vms-reader", validation_alias="STREAM_READER_USER")
    relay_reader_password: SecretStr = Field(
        default=SecretStr(""), validation_alias="STREAM_READER_PASSWORD"
    )
    api_token: SecretStr = Field(min_length=16, validation_alias="DETECTION_API_TOKEN")
    frame_fps: float = Field(default=1.0, gt=0, le=30)
    # decode keyframes only (a 1 s GOP gives 1 FPS without decoding the other frames)
    keyframes_only: bool = True
    # downscale frames to this width before JPEG encoding (None: the camera's size)
    frame_width: int | None = Field(default=640, ge=16, le=7680)
    max_queue_depth: int = Field(default=1000, ge=1)
    queue_depth_cache_s: float = Field(default=0.5, ge=0)
    reconnect_initial_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=10.0, gt=0)
    ffmpeg: str = "ffmpeg"
    # threads of the in-process detection worker (0: this process only extracts frames)
    detection_threads: int = Field(default=16, ge=0, le=256)
    # provider attempts per frame (transient errors only) before the frame is dead-lettered
    detection_attempts: int = Field(default=3, ge=1, le=10)
    # daily budgets for paid calls, USD (unset: unlimited); a camera's own comes with its start
    camera_daily_budget_usd: float | None = Field(default=None, ge=0)
    tenant_daily_budget_usd: float | None = Field(default=None, ge=0)
    # per-tenant budgets as JSON, e.g. {"acme": 50}
    tenant_daily_budgets_usd: dict[str, float] = Field(default_factory=dict)
    # price per paid call, USD, as JSON
    paid_api_prices_usd: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @field_validator("camera_daily_budget_usd", "tenant_daily_budget_usd", mode="before")
    @classmethod
    def _empty_is_unlimited(cls, value: Any) -> Any:
        return None if value == "" else value

    def budgets(self) -> Budgets:
        return Budgets(
            camera_default_usd=self.camera_daily_budget_usd,
            tenant_default_usd=self.tenant_daily_budget_usd,
            per_tenant_usd=self.tenant_daily_budgets_usd,
        )

    def camera_url(self, tenant_id: str, camera_id: str) -> str:
        """The camera on the relay, with the internal reader's credentials when configured."""
        return relay_camera_url(
            self.relay_rtsp_base,
            tenant_id,
            camera_id,
            user=self.relay_reader_user,
            password=self.relay_reader_password.get_secret_value(),
        )

    def redact(self, text: str) -> str:
        """`text` (an ffmpeg message, a URL) without the relay reader's password."""
        return redact(text, self.relay_reader_password.get_secret_value())
