"""AI detection settings, read from the environment."""

from pydantic import Field, SecretStr

from vms_common.settings import ServiceSettings


class DetectionSettings(ServiceSettings):
    relay_rtsp_base: str = "rtsp://127.0.0.1:8554"
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

    def camera_url(self, tenant_id: str, camera_id: str) -> str:
        return f"{self.relay_rtsp_base.rstrip('/')}/{tenant_id}/camera/{camera_id}"
