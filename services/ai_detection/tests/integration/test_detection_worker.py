"""The detection worker against the real RabbitMQ (vhost from VMS_TEST_RABBITMQ_URL) with a
fake provider that sleeps 200 ms; no AWS."""

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pika
import pytest

from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.detect_frames import DetectFrame
from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from ai_detection.domain.motion import MotionSettings
from ai_detection.infrastructure.detection_worker import DetectionWorker
from ai_detection.infrastructure.frame_queue import QUEUE, declare_frames_queue, frame_to_message
from ai_detection.infrastructure.motion_gate import MotionGate
from vms_common.contracts import DetectionResult, Label, decode
from vms_common.publisher import Publisher
from vms_common.topology import declare_topology, load_topology

URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
DEFINITIONS = Path(__file__).resolve().parents[4] / "config" / "rabbitmq" / "definitions.json"


class SlowProvider:
    name = "slow"

    def detect(self, frame: Frame) -> Detection:
        time.sleep(0.2)
        return Detection(labels=(Label(name="person", confidence=0.8),))


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
    yield ch
    connection.close()


def test_worker_turns_every_frame_into_a_detection_result(channel) -> None:
    results = channel.queue_declare("", exclusive=True).method.queue
    declare_topology(channel, load_topology(DEFINITIONS))
    publisher = Publisher(URL, DEFINITIONS, "detections")
    channel.queue_bind(results, "detections", routing_key="#")
    detect = DetectFrame(
        gate=MotionGate(default=MotionSettings(enabled=False)),
        default_provider=SlowProvider(),
        fallback_provider=SlowProvider(),
        publisher=publisher,
        costs=CostTracker(),
    )
    worker = DetectionWorker(URL, detect.handle, threads=32)
    thread = threading.Thread(target=worker.run, daemon=True)

    k = 60
    frames = [Frame("t1", f"cam{i % 3}", datetime.now(UTC), jpeg()) for i in range(k)]
    for frame in frames:
        body, headers = frame_to_message(frame)
        channel.basic_publish(
            "", QUEUE, body, pika.BasicProperties(content_type="image/jpeg", headers=headers)
        )
    channel.basic_publish("", QUEUE, b"junk", pika.BasicProperties(headers={"x": 1}))
    started = time.monotonic()
    thread.start()

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
    elapsed = time.monotonic() - started
    worker.stop()
    thread.join(10)
    publisher.close()

    assert set(got) == {f.trace_id for f in frames}
    assert all(r.provider == "slow" and r.labels[0].name == "person" for r in got.values())
    # 60 frames x 200 ms in series would take 12 s; 32 threads take well under 3 s.
    assert elapsed < 5, elapsed
    # Everything, the junk message included, was acked.
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0
    assert not thread.is_alive()
    channel.queue_purge("detections.persist")


def test_frame_whose_result_cannot_be_published_is_requeued_once_then_dropped(channel) -> None:
    seen: list[str] = []

    def handle(frame: Frame) -> None:
        seen.append(frame.trace_id)
        raise RuntimeError("broker refused the result")

    worker = DetectionWorker(URL, handle, threads=2)
    thread = threading.Thread(target=worker.run, daemon=True)
    frame = Frame("t1", "cam1", datetime.now(UTC), jpeg())
    body, headers = frame_to_message(frame)
    channel.basic_publish("", QUEUE, body, pika.BasicProperties(headers=headers))
    thread.start()
    deadline = time.monotonic() + 10
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a third delivery would show up here
    worker.stop()
    thread.join(10)
    assert seen == [frame.trace_id, frame.trace_id]
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0
