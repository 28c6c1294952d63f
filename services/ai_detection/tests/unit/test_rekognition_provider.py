"""The Rekognition provider against botocore's Stubber.

AWS is stubbed (botocore.stub.Stubber, answers in the shapes of the Rekognition API, which the
Stubber validates against botocore's service model) because CI never calls AWS; timeouts are
raised from a `provide-client-params` hook, before the request is sent, as botocore raises them
when sending.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from ai_detection.application.ports import ProviderError
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.providers.config import RekognitionConfig, provider_from_config
from ai_detection.infrastructure.providers.rekognition import RekognitionProvider, make_client

JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes\xff\xd9"
FRAME = Frame("acme", "cam-1", datetime(2026, 11, 25, 9, 0, tzinfo=UTC), JPEG)

LABELS_RESPONSE: dict[str, Any] = {
    "Labels": [
        {
            "Name": "Person",
            "Confidence": 98.5,
            "Instances": [
                {
                    "BoundingBox": {"Width": 0.2, "Height": 0.6, "Left": 0.1, "Top": 0.2},
                    "Confidence": 97.25,
                },
                {
                    "BoundingBox": {"Width": 0.3, "Height": 0.5, "Left": 0.8, "Top": 0.4},
                    "Confidence": 81.0,
                },
            ],
            "Parents": [],
            "Aliases": [{"Name": "Human"}],
            "Categories": [{"Name": "Person Description"}],
        },
        {
            "Name": "Outdoors",
            "Confidence": 75.0,
            "Instances": [],
            "Parents": [],
        },
    ],
    "LabelModelVersion": "3.0",
}

FACES_RESPONSE: dict[str, Any] = {
    "FaceDetails": [
        {
            "BoundingBox": {"Width": 0.1, "Height": 0.15, "Left": -0.02, "Top": 0.2},
            "Confidence": 99.9,
            "Landmarks": [{"Type": "eyeLeft", "X": 0.05, "Y": 0.25}],
            "Pose": {"Roll": 1.0, "Yaw": -2.0, "Pitch": 3.0},
            "Quality": {"Brightness": 80.0, "Sharpness": 90.0},
        }
    ]
}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return make_client(RekognitionConfig(region="eu-west-1"))


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def provider(client: Any, sleeps: Sleeps, **config: Any) -> RekognitionProvider:
    return RekognitionProvider(RekognitionConfig(**config), client=client, sleep=sleeps)


def labels_params(min_confidence: float = 70.0) -> dict[str, Any]:
    return {"Image": {"Bytes": JPEG}, "MinConfidence": min_confidence}


class Timeouts:
    """Makes the next calls of an API time out as botocore would (`plan[api] = count`);
    `raised` tallies them per API. One hook per client, run before the Stubber looks at the call."""

    def __init__(self, client: Any) -> None:
        self.plan: dict[str, int] = {}
        self.raised: dict[str, int] = {}
        client.meta.events.register("provide-client-params.*.*", self.hook)

    def hook(self, event_name: str, **_: Any) -> None:
        api = event_name.rsplit(".", 1)[-1]
        if self.plan.get(api, 0) > 0:
            self.plan[api] -= 1
            self.raised[api] = self.raised.get(api, 0) + 1
            raise ReadTimeoutError(endpoint_url="https://rekognition.eu-west-1.amazonaws.com/")


def test_client_has_our_timeouts_and_no_botocore_retries(client: Any) -> None:
    assert client.meta.config.connect_timeout == 5
    assert client.meta.config.read_timeout == 5
    assert client.meta.config.retries["total_max_attempts"] == 1


def test_labels_and_faces_are_normalised(client: Any, stubber: Stubber) -> None:
    stubber.add_response("detect_labels", LABELS_RESPONSE, labels_params(80.0))
    stubber.add_response("detect_faces", FACES_RESPONSE, {"Image": {"Bytes": JPEG}})
    detection = provider(client, Sleeps(), min_confidence=0.8).detect(FRAME)

    assert [(label.name, label.confidence) for label in detection.labels] == [
        ("person", pytest.approx(0.9725)),
        ("person", pytest.approx(0.81)),
        ("outdoors", pytest.approx(0.75)),
    ]
    first = detection.labels[0].box
    assert first is not None
    assert (first.left, first.top, first.width, first.height) == pytest.approx((0.1, 0.2, 0.2, 0.6))
    second = detection.labels[1].box
    assert second is not None
    assert second.left + second.width == pytest.approx(1.0)
    assert detection.labels[2].box is None
    face = detection.faces[0]
    assert face.confidence == pytest.approx(0.999)
    assert face.box.left == 0.0
    assert face.box.width == pytest.approx(0.08)
    assert detection.calls == {"DetectLabels": 1, "DetectFaces": 1}


def test_faces_can_be_turned_off_and_are_then_not_paid_for(client: Any, stubber: Stubber) -> None:
    stubber.add_response("detect_labels", {"Labels": []}, labels_params())
    detection = provider(client, Sleeps(), detect_faces=False).detect(FRAME)
    assert detection.labels == ()
    assert detection.calls == {"DetectLabels": 1}


def test_rekognition_timeout_handling(client: Any, stubber: Stubber) -> None:
    """A timeout then success is retried; three timeouts give a transient ProviderError with the
    reason; an error retrying cannot fix is not retried."""
    # one timeout, then the answer
    sleeps = Sleeps()
    timeouts = Timeouts(client)
    timeouts.plan["DetectLabels"] = 1
    stubber.add_response("detect_labels", LABELS_RESPONSE, labels_params())
    stubber.add_response("detect_faces", FACES_RESPONSE, {"Image": {"Bytes": JPEG}})
    detection = provider(client, sleeps).detect(FRAME)
    assert timeouts.raised == {"DetectLabels": 1}
    assert sleeps.delays == [pytest.approx(0.2)]
    assert detection.labels[0].name == "person"
    assert detection.calls == {"DetectLabels": 1, "DetectFaces": 1}

    # timing out on every attempt
    sleeps = Sleeps()
    timeouts.plan["DetectFaces"] = 3
    stubber.add_response("detect_labels", LABELS_RESPONSE, labels_params())
    with pytest.raises(ProviderError) as failed:
        provider(client, sleeps).detect(FRAME)
    assert failed.value.transient is True
    assert "DetectFaces ReadTimeoutError" in str(failed.value)
    assert "after 3 attempts" in str(failed.value)
    assert timeouts.raised == {"DetectLabels": 1, "DetectFaces": 3}
    assert sleeps.delays == [pytest.approx(0.2), pytest.approx(0.4)]

    # not retried
    sleeps = Sleeps()
    stubber.add_client_error(
        "detect_labels",
        service_error_code="InvalidImageFormatException",
        service_message="Request has invalid image format",
        http_status_code=400,
        expected_params=labels_params(),
    )
    with pytest.raises(ProviderError) as invalid:
        provider(client, sleeps).detect(FRAME)
    assert invalid.value.transient is False
    assert "InvalidImageFormatException" in str(invalid.value)
    assert sleeps.delays == []


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", 400),
        ("LimitExceededException", 400),
        ("InternalServerError", 500),
    ],
)
def test_throttling_and_server_errors_are_retried_with_backoff(
    client: Any, stubber: Stubber, code: str, status: int
) -> None:
    sleeps = Sleeps()
    for _ in range(2):
        stubber.add_client_error(
            "detect_labels", code, "slow down", status, expected_params=labels_params()
        )
    stubber.add_response("detect_labels", LABELS_RESPONSE, labels_params())
    stubber.add_response("detect_faces", {"FaceDetails": []}, {"Image": {"Bytes": JPEG}})
    detection = provider(client, sleeps).detect(FRAME)
    assert sleeps.delays == [pytest.approx(0.2), pytest.approx(0.4)]
    assert detection.faces == ()
    assert detection.calls == {"DetectLabels": 1, "DetectFaces": 1}


def test_throttled_on_every_attempt_is_a_transient_failure(client: Any, stubber: Stubber) -> None:
    for _ in range(3):
        stubber.add_client_error(
            "detect_labels", "ThrottlingException", "Rate exceeded", 400, labels_params()
        )
    with pytest.raises(ProviderError) as failed:
        provider(client, Sleeps()).detect(FRAME)
    assert failed.value.transient is True
    assert "ThrottlingException" in str(failed.value)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ImageTooLargeException", 400),
        ("AccessDeniedException", 403),
        ("InvalidParameterException", 400),
    ],
)
def test_errors_retrying_cannot_fix_fail_at_once(
    client: Any, stubber: Stubber, code: str, status: int
) -> None:
    sleeps = Sleeps()
    stubber.add_client_error("detect_labels", code, "no", status, expected_params=labels_params())
    with pytest.raises(ProviderError) as failed:
        provider(client, sleeps).detect(FRAME)
    assert failed.value.transient is False
    assert code in str(failed.value)
    assert sleeps.delays == []


def test_empty_frame_is_refused_without_a_paid_call(client: Any, stubber: Stubber) -> None:
    empty = Frame("acme", "cam-1", FRAME.captured_at, b"")
    with pytest.raises(ProviderError) as failed:
        provider(client, Sleeps()).detect(empty)
    assert failed.value.transient is False


def test_config_selects_rekognition_and_builds_no_client_until_used() -> None:
    chosen = provider_from_config(RekognitionConfig(region="eu-west-1"))
    assert isinstance(chosen, RekognitionProvider)
    assert chosen.name == "rekognition"
    assert chosen._client is None
