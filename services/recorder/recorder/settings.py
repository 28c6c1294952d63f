"""Recorder settings, read from the environment."""

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from vms_common.relay import redact, relay_camera_url
from vms_common.settings import REPO_ROOT, ServiceSettings


class RecorderSettings(ServiceSettings):
    # from AWS Secrets Manager with SECRETS_MANAGER_PREFIX
    secret_names = ("RECORDER_API_TOKEN", "STREAM_READER_PASSWORD")
    recordings_root: Path = REPO_ROOT / ".var" / "recordings"
    relay_rtsp_base: str = "rtsp://127.0.0.1:8554"
    # the internal reader the relay admits (the backend's STREAM_READER_USER and _PASSWORD);
    # without a password the camera URLs carry no credentials
    relay_reader_user: str = Field(default="vms-reader", validation_alias="STREAM_READER_USER")
    relay_reader_password: SecretStr = Field(
        default=SecretStr(""), validation_alias="STREAM_READER_PASSWORD"
    )
    segment_seconds: int = Field(default=60, ge=5, le=600)
    api_token: SecretStr = Field(min_length=16, validation_alias="RECORDER_API_TOKEN")
    reconnect_initial_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=1.0, gt=0)
    camera_timeout_s: float = Field(default=5.0, gt=0)
    stall_timeout_s: float = Field(default=10.0, gt=0)
    # a run may take this long from its start to its first data (connect, analyse the stream)
    connect_timeout_s: float = Field(default=30.0, gt=0)
    # runs connecting at once, across cameras (the others wait for a slot)
    max_connecting: int = Field(default=10, ge=1)
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"

    # cleanup and tiering (recorder/cleanup.py, tiering.py, scheduler.py)
    retention_days_default: int = Field(default=30, ge=1, le=3650)
    cleanup_at: str = Field(default="02:00", pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$")
    emergency_check_s: float = Field(default=60.0, gt=0)
    emergency_disk_percent: float = Field(default=90.0, gt=0, le=100)
    emergency_target_percent: float = Field(default=85.0, gt=0, le=100)
    tiering_after_days: int = Field(default=7, ge=0)
    s3_endpoint_url: str = ""
    s3_bucket: str = Field(
        default="vms-recordings", pattern=r"^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$"
    )
    aws_region: str = "us-east-1"

    @model_validator(mode="after")
    def _emergency_target_below_mark(self) -> Self:
        if self.emergency_target_percent >= self.emergency_disk_percent:
            raise ValueError("EMERGENCY_TARGET_PERCENT must be below EMERGENCY_DISK_PERCENT")
        return self

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

    @property
    def tiering_enabled(self) -> bool:
        """Tiering is off with TIERING_AFTER_DAYS=0 or an empty S3_BUCKET."""
        return self.tiering_after_days > 0 and bool(self.s3_bucket)
