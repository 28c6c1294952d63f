"""Amazon Rekognition: `DetectLabels` and `DetectFaces` on the frame's JPEG bytes.

The boto3 client is built on first use (importing this module touches neither boto3 nor AWS).
botocore's own retries are off and its connect/read timeouts are `timeout_s` (5 s): this provider
retries itself, up to `max_attempts` (3) per API call with exponential backoff, and only when
retrying can help: throttling (`ThrottlingException`, `ProvisionedThroughputExceededException`,
`LimitExceededException`), a 5xx answer, or a timeout / unreachable endpoint. Any other error
(`InvalidImageFormatException`, `ImageTooLargeException`, `AccessDeniedException`, ...) fails at once
with ProviderError(transient=False); retries used up give ProviderError(transient=True) with the
last reason.

`Detection.calls` counts only the calls that succeeded: a throttled or failed call is not billed by
AWS, and a timed-out call may or may not have been; it is not counted, so the figure is a lower
bound when timeouts happen.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from ai_detection.application.ports import ProviderError
from ai_detection.domain.detection import Detection
from ai_detection.domain.detection_result import normalise_box, normalise_confidence, normalise_name
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.providers.config import RekognitionConfig
from vms_common.contracts import Face, Label

log = logging.getLogger(__name__)

RETRYABLE_CODES = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "LimitExceededException"}
)
RETRYABLE_TRANSPORT = (ReadTimeoutError, ConnectTimeoutError, EndpointConnectionError)
#: Rekognition's largest image passed as bytes.
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def make_client(config: RekognitionConfig) -> Any:
    """A boto3 Rekognition client with our timeouts and botocore's retries off."""
    import boto3

    return boto3.client(
        "rekognition",
        region_name=config.region,
        config=Config(
            connect_timeout=config.timeout_s,
            read_timeout=config.timeout_s,
            retries={"total_max_attempts": 1, "mode": "standard"},
        ),
    )


def _box(raw: dict[str, Any]) -> Any:
    return normalise_box(
        float(raw.get("Left", 0.0)),
        float(raw.get("Top", 0.0)),
        float(raw.get("Width", 0.0)),
        float(raw.get("Height", 0.0)),
    )


def labels_from_response(response: dict[str, Any]) -> tuple[Label, ...]:
    """One Label per instance with a bounding box (`Person` seen twice gives two), or one without
    a box for labels that have no instances (`Outdoors`, `Urban`)."""
    labels: list[Label] = []
    for raw in response.get("Labels", []):
        name = normalise_name(str(raw.get("Name", "")))
        if not name:
            continue
        instances = [i for i in raw.get("Instances", []) if i.get("BoundingBox")]
        if not instances:
            labels.append(
                Label(name=name, confidence=normalise_confidence(float(raw["Confidence"])))
            )
            continue
        for instance in instances:
            confidence = instance.get("Confidence", raw.get("Confidence", 0.0))
            labels.append(
                Label(
                    name=name,
                    confidence=normalise_confidence(float(confidence)),
                    box=_box(instance["BoundingBox"]),
                )
            )
    return tuple(labels)


def faces_from_response(response: dict[str, Any]) -> tuple[Face, ...]:
    return tuple(
        Face(
            confidence=normalise_confidence(float(raw.get("Confidence", 0.0))),
            box=_box(raw["BoundingBox"]),
        )
        for raw in response.get("FaceDetails", [])
        if raw.get("BoundingBox")
    )


class RekognitionProvider:
    """Labels (and faces) from Amazon Rekognition; each call costs money, see `calls`."""

    name = "rekognition"

    def __init__(
        self,
        config: RekognitionConfig | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.config = config or RekognitionConfig()
        self._client = client
        self._sleep = sleep or time.sleep

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.config)
        return self._client

    def detect(self, frame: Frame) -> Detection:
        if not frame.jpeg:
            raise ProviderError("empty frame", transient=False)
        if len(frame.jpeg) > MAX_IMAGE_BYTES:
            raise ProviderError(
                f"frame of {len(frame.jpeg)} bytes is over Rekognition's 5 MB", transient=False
            )
        image = {"Bytes": frame.jpeg}
        calls: dict[str, int] = {}
        params: dict[str, Any] = {
            "Image": image,
            "MinConfidence": self.config.min_confidence * 100.0,
        }
        if self.config.max_labels is not None:
            params["MaxLabels"] = self.config.max_labels
        response = self._call("DetectLabels", self.client.detect_labels, params)
        calls["DetectLabels"] = 1
        labels = labels_from_response(response)
        faces: tuple[Face, ...] = ()
        if self.config.detect_faces:
            response = self._call("DetectFaces", self.client.detect_faces, {"Image": image})
            calls["DetectFaces"] = 1
            faces = faces_from_response(response)
        return Detection(labels=labels, faces=faces, calls=calls)

    def _call(self, api: str, method: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
        reason = ""
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                return dict(method(**params))
            except ClientError as exc:
                error = exc.response.get("Error", {})
                code = str(error.get("Code", "Unknown"))
                status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
                reason = f"{api} {code} (HTTP {status}): {error.get('Message', '')}".strip()
                if code not in RETRYABLE_CODES and status < 500:
                    raise ProviderError(reason, transient=False) from exc
            except RETRYABLE_TRANSPORT as exc:
                reason = f"{api} {type(exc).__name__}: {exc}"
            except BotoCoreError as exc:
                raise ProviderError(f"{api} {type(exc).__name__}: {exc}", transient=False) from exc
            if attempt < self.config.max_attempts:
                delay = self.config.backoff_s * 2 ** (attempt - 1)
                log.info("rekognition %s, retrying in %.2fs (attempt %d)", reason, delay, attempt)
                self._sleep(delay)
        raise ProviderError(
            f"{reason}; gave up after {self.config.max_attempts} attempts", transient=True
        )
