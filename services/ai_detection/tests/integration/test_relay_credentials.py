"""The detection service reads the relay as the internal reader (`STREAM_READER_USER`/
`_PASSWORD`): ffmpeg presents the credentials, and neither `/cameras/status` nor the log holds
the password, though ffmpeg's own messages repeat the URL. Against the real ffmpeg, RabbitMQ
($VMS_TEST_RABBITMQ_URL) and a relay that demands credentials and refuses them
(`vms_common.testing_relay`)."""

import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ai_detection.main import create_app
from ai_detection.settings import DetectionSettings
from vms_common.testing_relay import CredentialsRelay

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
TOKEN = secrets.token_urlsafe(24)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PASSWORD = "reader:p@ss/w%rd " + secrets.token_hex(12)
CAMERA = {"tenant_id": "tenant-c", "camera_id": "guarded"}


@pytest.fixture
def relay() -> Iterator[CredentialsRelay]:
    with CredentialsRelay() as relay:
        yield relay


def service_for(relay: CredentialsRelay, **reader: str) -> TestClient:
    settings = DetectionSettings(
        relay_rtsp_base=f"rtsp://127.0.0.1:{relay.port}",
        DETECTION_API_TOKEN=TOKEN,
        rabbitmq_url=TEST_URL,
        reconnect_initial_s=0.2,
        reconnect_max_s=1.0,
        detection_threads=0,
        **reader,
    )
    return TestClient(create_app(settings), headers=AUTH)


def wait_reconnecting(client: TestClient, timeout_s: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cameras = client.get("/cameras/status").json()["cameras"]
        if cameras and cameras[0]["state"] == "reconnecting" and cameras[0]["last_error"]:
            camera: dict[str, Any] = cameras[0]
            return camera
        time.sleep(0.2)
    raise AssertionError(f"the camera did not fail and reconnect: {cameras}")


def test_the_reader_credentials_reach_the_relay_and_nothing_shows_them(relay, capfd):
    reader = {"STREAM_READER_USER": "vms-reader", "STREAM_READER_PASSWORD": PASSWORD}
    with service_for(relay, **reader) as client:
        assert client.post("/cameras/start", json=CAMERA).status_code == 202
        lost = wait_reconnecting(client)
        status_text = client.get("/cameras/status").text
        client.post("/cameras/stop", json=CAMERA)

    assert ("vms-reader", PASSWORD) in relay.presented
    assert f"rtsp://vms-reader:***@127.0.0.1:{relay.port}/" in lost["last_error"], lost
    logged = capfd.readouterr()
    assert "ffmpeg exited, reconnecting" in logged.out + logged.err
    for shown in (status_text, logged.out, logged.err):
        assert "p@ss" not in shown and "p%40ss" not in shown
        assert PASSWORD.split()[-1] not in shown


def test_without_a_reader_password_no_credentials_are_presented(relay):
    with service_for(relay) as client:
        client.post("/cameras/start", json=CAMERA)
        lost = wait_reconnecting(client)
        client.post("/cameras/stop", json=CAMERA)

    assert relay.presented == []
    assert "401 Unauthorized" in lost["last_error"], lost
