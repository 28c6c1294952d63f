"""Recorder settings, read from the environment."""

from pathlib import Path

from pydantic import Field, SecretStr

from vms_common.settings import REPO_ROOT, ServiceSettings


class RecorderSettings(ServiceSettings):
    recordings_root: Path = REPO_ROOT / ".var" / "recordings"
    relay_rtsp_base: str = "rtsp://127.0.0.1:8554"
    segment_seconds: int = Field(default=60, ge=5, le=600)
    api_token: SecretStr = Field(min_length=16, validation_alias="RECORDER_API_TOKEN")
    reconnect_initial_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=2.0, gt=0)
    camera_timeout_s: float = Field(default=5.0, gt=0)
    stall_timeout_s: float = Field(default=10.0, gt=0)
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
