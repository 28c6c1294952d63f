"""Per-camera choice of detection provider, as a discriminated union on `type`.

    camera: {"provider": {"type": "opencv"}}
    camera: {"provider": {"type": "rekognition", "min_confidence": 0.8, "region": "eu-west-1"}}

OpenCV is the default: it runs locally and needs no account.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ai_detection.application.ports import DetectionProvider


class OpenCvConfig(BaseModel):
    """Local detection: people with HOG, faces with a Haar cascade (when the OpenCV build has them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["opencv"] = "opencv"
    people: bool = True
    faces: bool = True
    #: Frames wider than this are downscaled before HOG (speed; people stay detectable).
    max_width: int = Field(default=640, ge=64)
    #: HOG SVM score below which a window is not a person.
    hog_threshold: float = Field(default=0.5, ge=0)
    #: Haar cascade for faces; default: `haarcascade_frontalface_default.xml` in `cv2.data.haarcascades`.
    face_cascade_path: str | None = None


class RekognitionConfig(BaseModel):
    """Amazon Rekognition DetectLabels (+ DetectFaces); each call is paid."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["rekognition"] = "rekognition"
    #: Labels below this confidence (0..1) are not returned (sent to AWS as percent).
    min_confidence: float = Field(default=0.7, ge=0, le=1)
    max_labels: int | None = Field(default=None, ge=1)
    detect_faces: bool = True
    region: str | None = None
    #: botocore connect and read timeout, seconds.
    timeout_s: float = Field(default=5.0, gt=0)
    #: Attempts per API call, retried only on throttling, 5xx and timeouts.
    max_attempts: int = Field(default=3, ge=1, le=10)
    #: First backoff; doubles after each failed attempt.
    backoff_s: float = Field(default=0.2, ge=0)


ProviderConfig = Annotated[OpenCvConfig | RekognitionConfig, Field(discriminator="type")]
provider_config_adapter: TypeAdapter[OpenCvConfig | RekognitionConfig] = TypeAdapter(ProviderConfig)


def parse_provider_config(data: Any) -> OpenCvConfig | RekognitionConfig:
    """A provider config from JSON-like data; `{}` or None gives the OpenCV default."""
    if not data:
        return OpenCvConfig()
    return provider_config_adapter.validate_python(data)


def provider_from_config(
    config: OpenCvConfig | RekognitionConfig,
    *,
    rekognition_client: Any = None,
    sleep: Callable[[float], None] | None = None,
) -> DetectionProvider:
    """The provider a camera's configuration asks for. `rekognition_client` replaces the boto3
    client built from the config (tests pass a Stubber-backed one)."""
    if isinstance(config, OpenCvConfig):
        from ai_detection.infrastructure.providers.opencv import OpenCvProvider

        return OpenCvProvider(config)
    from ai_detection.infrastructure.providers.rekognition import RekognitionProvider

    return RekognitionProvider(config, client=rekognition_client, sleep=sleep)
