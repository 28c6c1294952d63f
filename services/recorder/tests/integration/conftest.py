"""Recorder against the real ffmpeg, the camera simulator and RabbitMQ (vhost `vms_test`)."""

import os
import secrets
import time
from collections.abc import Callable, Iterator

import pika
import pytest
from fastapi.testclient import TestClient

from camsim.control import CameraSimulator
from recorder.main import create_app
from recorder.settings import RecorderSettings
from vms_common.contracts import SegmentCompleted, decode

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
TENANT = "tenant-a"
CAMERAS = [f"{TENANT}/camera/cam-{n}" for n in (1, 2)]


@pytest.fixture(scope="module")
def simulator() -> Iterator[CameraSimulator]:
    with CameraSimulator(CAMERAS) as sim:
        yield sim


@pytest.fixture
def settings(tmp_path, simulator) -> RecorderSettings:
    return RecorderSettings(
        recordings_root=tmp_path / "recordings",
        relay_rtsp_base=f"rtsp://127.0.0.1:{simulator.rtsp_port}",
        segment_seconds=5,
        RECORDER_API_TOKEN=secrets.token_urlsafe(24),
        rabbitmq_url=TEST_URL,
    )


class SegmentEvents:
    """Captures segment events (SegmentCompleted unless told) from a private queue on `recordings`."""

    def __init__(self, binding: str = "segment.completed") -> None:
        self._connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
        self._channel = self._connection.channel()
        self._channel.exchange_declare("recordings", "topic", durable=True)
        self._queue = self._channel.queue_declare("", exclusive=True).method.queue
        self._channel.queue_bind(self._queue, "recordings", binding)
        self.received: list[SegmentCompleted] = []
        self.binding = binding

    def wait_for(
        self, predicate: Callable[[list[SegmentCompleted]], bool], timeout_s: float
    ) -> list[SegmentCompleted]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            method, _, body = self._channel.basic_get(self._queue, auto_ack=True)
            if method is None:
                self._connection.sleep(0.2)
                continue
            event = decode(method.routing_key, body)
            assert isinstance(event, SegmentCompleted) or self.binding != "segment.completed"
            self.received.append(event)
            if predicate(self.received):
                return self.received
        raise AssertionError(f"condition not met in {timeout_s} s; received {self.received}")

    def close(self) -> None:
        self._connection.close()


@pytest.fixture
def events() -> Iterator[SegmentEvents]:
    capture = SegmentEvents()
    yield capture
    capture.close()


@pytest.fixture
def recorder(settings) -> Iterator[TestClient]:
    token = settings.api_token.get_secret_value()
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client
