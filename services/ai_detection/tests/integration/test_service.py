"""The service's HTTP API with the real ffmpeg, camsim and RabbitMQ ($VMS_TEST_RABBITMQ_URL)."""

import os
import secrets
import time
from collections.abc import Iterator

import pika
import pytest
from fastapi.testclient import TestClient

from ai_detection.infrastructure.frame_queue import QUEUE, frame_from_message
from ai_detection.main import create_app
from ai_detection.settings import DetectionSettings
from camsim.control import CameraSimulator

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
TENANT, CAMERA = "tenant-b", "door"
TOKEN = secrets.token_urlsafe(24)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[CameraSimulator]:
    with CameraSimulator([f"{TENANT}/camera/{CAMERA}"]) as sim:
        yield sim


def settings(simulator: CameraSimulator, rabbitmq_url: str = TEST_URL) -> DetectionSettings:
    return DetectionSettings(
        relay_rtsp_base=f"rtsp://127.0.0.1:{simulator.rtsp_port}",
        DETECTION_API_TOKEN=TOKEN,
        rabbitmq_url=rabbitmq_url,
        reconnect_initial_s=0.2,
        reconnect_max_s=1.0,
    )


@pytest.fixture
def broker() -> Iterator[pika.BlockingConnection]:
    connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
    connection.channel().queue_delete(QUEUE)
    yield connection
    connection.channel().queue_delete(QUEUE)
    connection.close()


def test_started_camera_publishes_frames_and_reports_its_status(simulator, broker) -> None:
    with TestClient(create_app(settings(simulator))) as client:
        body = {"tenant_id": TENANT, "camera_id": CAMERA}
        response = client.post("/cameras/start", json=body, headers=AUTH)
        assert response.status_code == 202
        assert response.json()["camera_id"] == CAMERA
        deadline = time.monotonic() + 20
        method, channel = None, broker.channel()
        while method is None and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                method, properties, payload = channel.basic_get(QUEUE, auto_ack=True)
            except pika.exceptions.ChannelClosedByBroker:  # not declared yet
                channel = broker.channel()
        assert method is not None
        frame = frame_from_message(payload, properties.headers)
        assert (frame.tenant_id, frame.camera_id) == (TENANT, CAMERA)

        cameras = client.get("/cameras/status", headers=AUTH).json()["cameras"]
        assert [(c["camera_id"], c["state"]) for c in cameras] == [(CAMERA, "running")]
        assert cameras[0]["frames"] >= 1

        stopped = client.post("/cameras/stop", json=body, headers=AUTH)
        assert stopped.status_code == 200
        assert stopped.json()["state"] == "stopped"
        assert client.get("/cameras/status", headers=AUTH).json() == {"cameras": []}

        metrics = client.get("/metrics").text
        assert "vms_frames_published_total" in metrics
        assert "vms_frames_dropped_total" in metrics


def test_camera_endpoints_need_the_bearer_token(simulator) -> None:
    with TestClient(create_app(settings(simulator))) as client:
        response = client.get("/cameras/status")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        wrong = client.get("/cameras/status", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401


def test_stopping_an_unknown_camera_is_404_and_a_bad_body_400(simulator) -> None:
    with TestClient(create_app(settings(simulator))) as client:
        response = client.post(
            "/cameras/stop", json={"tenant_id": TENANT, "camera_id": "nope"}, headers=AUTH
        )
        assert response.status_code == 404
        assert response.json() == {
            "message": "camera is not being analysed",
            "code": "not_found",
            "extra": {"tenant_id": TENANT, "camera_id": "nope"},
        }
        bad = client.post("/cameras/start", json={"tenant_id": "a b"}, headers=AUTH)
        assert bad.status_code == 400
        assert bad.json()["code"] == "invalid_request"


def test_health_is_200_with_rabbitmq_and_503_without(simulator) -> None:
    with TestClient(create_app(settings(simulator))) as client:
        response = client.get("/health")
        assert response.status_code == 200
        assert response.json()["checks"] == {"rabbitmq": "ok"}
    unreachable = "amqp://guest:guest@127.0.0.1:1/%2F"
    with TestClient(create_app(settings(simulator, unreachable))) as client:
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["status"] == "degraded"
