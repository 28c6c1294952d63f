"""Every detection provider keeps the `DetectionProvider` contract.

The Rekognition provider runs against botocore's Stubber (AWS is stubbed because CI never calls
AWS); the OpenCV one runs for real on a JPEG made here with numpy and cv2.
"""

import inspect
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np
import pytest
from botocore.stub import Stubber
from pydantic import ValidationError

from ai_detection.application.ports import DetectionProvider, ProviderError
from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.providers.config import (
    OpenCvConfig,
    RekognitionConfig,
    parse_provider_config,
    provider_from_config,
)
from ai_detection.infrastructure.providers.opencv import OpenCvProvider
from ai_detection.infrastructure.providers.rekognition import make_client


def scene_jpeg() -> bytes:
    rng = np.random.default_rng(7)
    image = np.zeros((360, 640, 3), np.uint8)
    image[:] = np.linspace(40, 200, 640, dtype=np.uint8)[None, :, None]
    cv2.rectangle(image, (100, 80), (220, 300), (30, 90, 160), -1)
    cv2.circle(image, (450, 180), 60, (200, 200, 40), -1)
    noise = rng.integers(0, 20, image.shape, dtype=np.uint8)
    ok, jpeg = cv2.imencode(".jpg", cv2.add(image, noise))
    assert ok
    return jpeg.tobytes()


JPEG = scene_jpeg()
GARBAGE = b"\x00\x01definitely not a jpeg\xff" * 10


def frame(jpeg: bytes) -> Frame:
    return Frame("acme", "cam-1", datetime(2026, 11, 25, 9, 0, tzinfo=UTC), jpeg)


@pytest.fixture
def stubbed_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Stubber]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = make_client(RekognitionConfig(region="eu-west-1"))
    with Stubber(client) as stubber:
        yield client, stubber


def opencv(_: tuple[Any, Stubber], jpeg: bytes) -> DetectionProvider:
    return provider_from_config(OpenCvConfig())


def rekognition(stubbed: tuple[Any, Stubber], jpeg: bytes) -> DetectionProvider:
    """Answers as AWS does: labels and a face for a JPEG, InvalidImageFormatException otherwise."""
    client, stubber = stubbed
    labels = {"Image": {"Bytes": jpeg}, "MinConfidence": 70.0}
    if jpeg == JPEG:
        stubber.add_response(
            "detect_labels",
            {
                "Labels": [
                    {
                        "Name": "Person",
                        "Confidence": 91.0,
                        "Instances": [
                            {
                                "BoundingBox": {
                                    "Width": 0.2,
                                    "Height": 0.6,
                                    "Left": 0.15,
                                    "Top": 0.2,
                                },
                                "Confidence": 91.0,
                            }
                        ],
                        "Parents": [],
                    }
                ],
                "LabelModelVersion": "3.0",
            },
            labels,
        )
        stubber.add_response(
            "detect_faces",
            {
                "FaceDetails": [
                    {
                        "BoundingBox": {"Width": 0.05, "Height": 0.1, "Left": 0.2, "Top": 0.2},
                        "Confidence": 99.0,
                    }
                ]
            },
            {"Image": {"Bytes": jpeg}},
        )
    else:
        stubber.add_client_error(
            "detect_labels",
            "InvalidImageFormatException",
            "Request has invalid image format",
            400,
            expected_params=labels,
        )
    return provider_from_config(
        RekognitionConfig(), rekognition_client=client, sleep=lambda _: None
    )


PROVIDERS = [pytest.param(opencv, id="opencv"), pytest.param(rekognition, id="rekognition")]


@pytest.mark.parametrize("make", PROVIDERS)
def test_provider_interface_compliance(make: Any, stubbed_client: tuple[Any, Stubber]) -> None:
    provider = make(stubbed_client, JPEG)
    assert isinstance(provider.name, str)
    assert provider.name
    assert list(inspect.signature(provider.detect).parameters) == ["frame"]

    detection = provider.detect(frame(JPEG))
    assert isinstance(detection, Detection)
    for label in detection.labels:
        assert label.name == label.name.lower()
        assert 0.0 <= label.confidence <= 1.0
        if label.box is not None:
            assert label.box.left + label.box.width <= 1.0 + 1e-9
            assert label.box.top + label.box.height <= 1.0 + 1e-9
    for face in detection.faces:
        assert 0.0 <= face.confidence <= 1.0
        assert face.box.left + face.box.width <= 1.0 + 1e-9
    assert all(count >= 0 for count in detection.calls.values())


@pytest.mark.parametrize("make", PROVIDERS)
def test_provider_refuses_garbage_with_a_provider_error(
    make: Any, stubbed_client: tuple[Any, Stubber]
) -> None:
    provider = make(stubbed_client, GARBAGE)
    with pytest.raises(ProviderError) as failed:
        provider.detect(frame(GARBAGE))
    assert failed.value.transient is False
    assert type(failed.value) is ProviderError


def test_opencv_is_the_default_and_costs_nothing() -> None:
    config = parse_provider_config(None)
    assert isinstance(config, OpenCvConfig)
    provider = provider_from_config(config)
    assert isinstance(provider, OpenCvProvider)
    assert provider.name == "opencv"
    assert provider.detect(frame(JPEG)).calls == {}


def test_config_is_a_union_discriminated_by_type() -> None:
    config = parse_provider_config({"type": "rekognition", "min_confidence": 0.8})
    assert isinstance(config, RekognitionConfig)
    assert (config.timeout_s, config.max_attempts) == (5.0, 3)
    with pytest.raises(ValidationError):
        parse_provider_config({"type": "yolo"})
    with pytest.raises(ValidationError):
        parse_provider_config({"type": "opencv", "min_confidence": 0.8})
