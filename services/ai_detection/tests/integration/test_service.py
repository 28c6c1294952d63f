"""The service's HTTP API with the real ffmpeg, camsim, OpenCV and RabbitMQ
($VMS_TEST_RABBITMQ_URL); no AWS (the cameras here use the local provider)."""

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
from vms_common.contracts import DetectionResult, decode

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
TENANT, CAMERA = "tenant-b", "door"
TOKEN = secrets.token_urlsafe(24)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[CameraSimulator]:
    with CameraSimulator([f"{TENANT}/camera/{CAMERA}"]) as sim:
        yield sim


def settings(
    simulator: CameraSimulator, rabbitmq_url: str = TEST_URL, detection_threads: int = 4
) -> DetectionSettings:
    return DetectionSettings(
        relay_rtsp_base=f"rtsp://127.0.0.1:{simulator.rtsp_port}",
        DETECTION_API_TOKEN=TOKEN,
        rabbitmq_url=rabbitmq_url,
        reconnect_initial_s=0.2,
        reconnect_max_s=1.0,
        detection_threads=detection_threads,
    )


@pytest.fixture
def broker() -> Iterator[pika.BlockingConnection]:
    connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
    connection.channel().queue_delete(QUEUE)
    yield connection
    connection.channel().queue_delete(QUEUE)
    connection.close()


def test_started_camera_publishes_frames_and_reports_its_status(simulator, broker) -> None:
    # No detection worker in this process: the frames stay in the queue to be looked at.
    with TestClient(create_app(settings(simulator, detection_threads=0))) as client:
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
        assert (cameras[0]["provider"], cameras[0]["spent_today_usd"]) == ("opencv", 0)

        stopped = client.post("/cameras/stop", json=body, headers=AUTH)
        assert stopped.status_code == 200
        assert stopped.json()["state"] == "stopped"
        assert client.get("/cameras/status", headers=AUTH).json() == {"cameras": []}

        metrics = client.get("/metrics").text
        assert "vms_frames_published_total" in metrics
        assert "vms_frames_dropped_total" in metrics


def test_started_camera_is_analysed_and_its_results_published(simulator, broker) -> None:
    channel = broker.channel()
    results = channel.queue_declare("", exclusive=True).method.queue
    channel.exchange_declare("detections", "topic", durable=True)
    channel.queue_bind(results, "detections", routing_key=f"{TENANT}.{CAMERA}.#")
    with TestClient(create_app(settings(simulator))) as client:
        body = {
            "tenant_id": TENANT,
            "camera_id": CAMERA,
            "provider": {"type": "opencv", "faces": False},
            "motion": {"enabled": False},
        }
        assert client.post("/cameras/start", json=body, headers=AUTH).status_code == 202
        got: list[DetectionResult] = []
        deadline = time.monotonic() + 30
        while len(got) < 2 and time.monotonic() < deadline:
            method, properties, payload = channel.basic_get(results, auto_ack=True)
            if method is None:
                time.sleep(0.2)
                continue
            message = decode(properties.type, payload)
            assert isinstance(message, DetectionResult)
            got.append(message)
        stop = {"tenant_id": TENANT, "camera_id": CAMERA}
        client.post("/cameras/stop", json=stop, headers=AUTH)
    assert len(got) == 2
    for result in got:
        assert (result.tenant_id, result.camera_id) == (TENANT, CAMERA)
        assert (result.provider, result.cost_usd) == ("opencv", 0)
        assert result.processed_at >= result.captured_at
    assert got[0].captured_at < got[1].captured_at


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
        camera = {"tenant_id": TENANT, "camera_id": CAMERA}
        for wrong, field in (
            ({"provider": {"type": "yolo"}}, "body.provider"),
            ({"provider": {"type": "rekognition", "min_confidence": 70}}, "body.provider"),
            ({"motion": {"changed_fraction": 2}}, "body.motion"),
            ({"daily_budget_usd": -1}, "body.daily_budget_usd"),
        ):
            response = client.post("/cameras/start", json=camera | wrong, headers=AUTH)
            assert response.status_code == 400, wrong
            errors = response.json()["extra"]["errors"]
            assert errors and all(e["field"].startswith(field) for e in errors), errors
        assert client.get("/cameras/status", headers=AUTH).json() == {"cameras": []}


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
