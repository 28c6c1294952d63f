"""The detection worker against the real RabbitMQ (vhost from VMS_TEST_RABBITMQ_URL) with fake
providers (one sleeps 200 ms, one always fails); no AWS."""

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pika
import pytest

from ai_detection.application.cameras import AnalysedCamera, AnalysedCameras
from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.detect_frames import DetectFrame
from ai_detection.application.ports import ProviderError
from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from ai_detection.domain.motion import MotionSettings
from ai_detection.infrastructure.detection_worker import DetectionWorker
from ai_detection.infrastructure.frame_dead_letters import DEAD_LETTER_QUEUE, FrameDeadLetters
from ai_detection.infrastructure.frame_queue import QUEUE, declare_frames_queue, frame_to_message
from ai_detection.infrastructure.motion_gate import MotionGate
from vms_common.contracts import DetectionResult, Label, decode
from vms_common.publisher import Publisher
from vms_common.topology import declare_topology, load_topology

URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
DEFINITIONS = Path(__file__).resolve().parents[4] / "config" / "rabbitmq" / "definitions.json"
GATE_OFF = MotionSettings(enabled=False)


class SlowProvider:
    name = "slow"

    def detect(self, frame: Frame) -> Detection:
        time.sleep(0.2)
        return Detection(labels=(Label(name="person", confidence=0.8),))


class BrokenProvider:
    name = "broken"

    def detect(self, frame: Frame) -> Detection:
        raise ProviderError("service unavailable (503)", transient=True)


def jpeg() -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((90, 160, 3), 128, dtype=np.uint8))
    assert ok
    return data.tobytes()


@pytest.fixture
def channel():
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    ch = connection.channel()
    declare_frames_queue(ch, 1000)
    ch.queue_purge(QUEUE)
    ch.queue_delete(DEAD_LETTER_QUEUE)
    yield ch
    connection.close()


def dead_letters(channel) -> list[tuple[dict, bytes]]:
    found = []
    while True:
        method, properties, body = channel.basic_get(DEAD_LETTER_QUEUE, auto_ack=True)
        if method is None:
            return found
        found.append((properties.headers, body))


def run(worker: DetectionWorker) -> threading.Thread:
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    assert worker.ready.wait(10)
    return thread


def publish(channel, frame: Frame) -> None:
    body, headers = frame_to_message(frame)
    channel.basic_publish(
        "", QUEUE, body, pika.BasicProperties(content_type="image/jpeg", headers=headers)
    )


def test_worker_turns_every_frame_into_a_result_and_dead_letters_the_rest(channel) -> None:
    results = channel.queue_declare("", exclusive=True).method.queue
    declare_topology(channel, load_topology(DEFINITIONS))
    publisher = Publisher(URL, DEFINITIONS, "detections")
    letters = FrameDeadLetters(URL)
    channel.queue_bind(results, "detections", routing_key="#")
    detect = DetectFrame(
        gate=MotionGate(),
        cameras=AnalysedCameras(
            [AnalysedCamera("t1", f"cam{i}", SlowProvider(), GATE_OFF) for i in range(3)]
        ),
        fallback_provider=SlowProvider(),
        publisher=publisher,
        costs=CostTracker(),
    )
    worker = DetectionWorker(URL, detect.handle, letters, threads=32)

    k = 60
    frames = [Frame("t1", f"cam{i % 3}", datetime.now(UTC), jpeg()) for i in range(k)]
    for frame in frames:
        publish(channel, frame)
    channel.basic_publish("", QUEUE, b"junk", pika.BasicProperties(headers={"x": 1}))
    stranger = Frame("t2", "cam0", datetime.now(UTC), jpeg())  # cam0 of another tenant
    publish(channel, stranger)
    thread = run(worker)

    got: dict[str, DetectionResult] = {}
    deadline = time.monotonic() + 30
    while len(got) < k and time.monotonic() < deadline:
        method, properties, body = channel.basic_get(results, auto_ack=True)
        if method is None:
            time.sleep(0.05)
            continue
        message = decode(properties.type, body)
        assert isinstance(message, DetectionResult)
        got[message.trace_id] = message
    worker.stop()
    thread.join(10)
    publisher.close()
    letters.close()

    assert set(got) == {f.trace_id for f in frames}
    assert all(r.provider == "slow" and r.labels[0].name == "person" for r in got.values())
    # Everything was acked; the junk and the unknown camera's frame are in the DLQ, with why.
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0
    letters_found = dead_letters(channel)
    reasons = sorted(headers["x-reason"] for headers, _ in letters_found)
    assert reasons == ["not_a_frame: unsupported schema_version None", "unknown_camera"]
    [(unknown, body)] = [(h, b) for h, b in letters_found if h["x-reason"] == "unknown_camera"]
    assert (unknown["tenant_id"], unknown["trace_id"], body) == ("t2", stranger.trace_id, jpeg())
    assert not thread.is_alive()
    channel.queue_purge("detections.processing")


def test_frame_the_provider_fails_on_is_dead_lettered_with_the_reason(channel) -> None:
    declare_topology(channel, load_topology(DEFINITIONS))
    letters = FrameDeadLetters(URL)
    published: list[DetectionResult] = []
    detect = DetectFrame(
        gate=MotionGate(),
        cameras=AnalysedCameras([AnalysedCamera("t1", "cam1", BrokenProvider(), GATE_OFF)]),
        fallback_provider=SlowProvider(),
        publisher=type("Results", (), {"publish": lambda self, m: published.append(m)})(),
        costs=CostTracker(),
        failures=letters,
        sleep=lambda _: None,
    )
    worker = DetectionWorker(URL, detect.handle, letters, threads=2)
    frame = Frame("t1", "cam1", datetime.now(UTC), jpeg())
    publish(channel, frame)
    thread = run(worker)
    deadline = time.monotonic() + 10
    found: list[tuple[dict, bytes]] = []
    while not found and time.monotonic() < deadline:
        time.sleep(0.1)
        found = dead_letters(channel)
    worker.stop()
    thread.join(10)
    letters.close()
    [(headers, body)] = found
    assert headers["x-reason"] == "provider_failed: service unavailable (503)"
    assert (headers["x-provider"], headers["x-attempts"]) == ("broken", 3)
    assert (headers["trace_id"], body) == (frame.trace_id, frame.jpeg)
    assert not published
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0


def test_frame_whose_result_cannot_be_published_is_requeued_once_then_dropped(channel) -> None:
    seen: list[str] = []

    def handle(frame: Frame) -> None:
        seen.append(frame.trace_id)
        raise RuntimeError("broker refused the result")

    letters = FrameDeadLetters(URL)
    worker = DetectionWorker(URL, handle, letters, threads=2)
    frame = Frame("t1", "cam1", datetime.now(UTC), jpeg())
    publish(channel, frame)
    thread = run(worker)
    deadline = time.monotonic() + 10
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a third delivery would show up here
    worker.stop()
    thread.join(10)
    letters.close()
    assert seen == [frame.trace_id, frame.trace_id]
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0
