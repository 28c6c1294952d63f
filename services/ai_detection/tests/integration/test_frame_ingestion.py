"""Frames from a simulated camera (camsim, real RTSP) through ffmpeg into the `frames` queue.

Real ffmpeg, camsim and RabbitMQ on $VMS_TEST_RABBITMQ_URL (vhost vms_test unless told).
"""

import itertools
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pika
import pytest

from ai_detection.infrastructure.frame_extractor import FrameExtractor, ffmpeg_command
from ai_detection.infrastructure.frame_queue import (
    QUEUE,
    declare_frames_queue,
    frame_from_message,
)
from ai_detection.infrastructure.queue import FramePublisher, PikaFrameChannel
from camsim.control import CameraSimulator
from vms_common.backoff import Backoff

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
TENANT = "tenant-a"
CAMERA = "cam-1"
PATH = f"{TENANT}/camera/{CAMERA}"


@pytest.fixture(scope="module")
def simulator() -> Iterator[CameraSimulator]:
    with CameraSimulator([PATH]) as sim:
        yield sim


@pytest.fixture
def broker() -> Iterator[pika.adapters.blocking_connection.BlockingChannel]:
    connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
    channel = connection.channel()
    channel.queue_delete(QUEUE)  # each test declares it with its own bound
    yield channel
    channel.queue_delete(QUEUE)
    connection.close()


def run_extractor(
    simulator: CameraSimulator, publisher: FramePublisher, keyframes_only: bool = True
) -> FrameExtractor:
    command = ffmpeg_command(
        ffmpeg="ffmpeg", url=simulator.url(PATH), fps=1, keyframes_only=keyframes_only
    )
    extractor = FrameExtractor(
        tenant_id=TENANT,
        camera_id=CAMERA,
        command=command,
        sink=publisher,
        backoff=Backoff(0.2, 1.0),
    )
    extractor.start()
    return extractor


def wait_for_depth(channel, depth: int, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    current = 0
    while time.monotonic() < deadline:
        current = channel.queue_declare(QUEUE, passive=True).method.message_count
        if current >= depth:
            return int(current)
        time.sleep(0.2)
    return int(current)


@pytest.mark.parametrize("keyframes_only", [True, False])
def test_frames_of_a_simulated_camera_arrive_in_the_queue_as_decodable_jpegs(
    simulator: CameraSimulator, broker, keyframes_only: bool
) -> None:
    declare_frames_queue(broker, 1000)
    publisher = FramePublisher(PikaFrameChannel(TEST_URL, 1000), max_depth=1000)
    started = datetime.now(UTC)
    extractor = run_extractor(simulator, publisher, keyframes_only)
    try:
        assert wait_for_depth(broker, 3, timeout_s=20) >= 3
        status = extractor.status()
        assert status.state == "running"
        assert status.frames >= 3
    finally:
        extractor.stop()
        publisher.close()
    assert extractor.status().state == "stopped"
    times = []
    for _ in range(3):
        method, properties, body = broker.basic_get(QUEUE, auto_ack=True)
        assert method is not None
        assert properties.content_type == "image/jpeg"
        frame = frame_from_message(body, properties.headers)
        assert (frame.tenant_id, frame.camera_id) == (TENANT, CAMERA)
        assert frame.trace_id
        assert started <= frame.captured_at <= datetime.now(UTC)
        image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape == (360, 640, 3)
        times.append(frame.captured_at)
    # about 1 FPS: consecutive frames are between half a second and two seconds apart
    for earlier, later in itertools.pairwise(times):
        assert timedelta(seconds=0.5) <= later - earlier <= timedelta(seconds=2)


def test_frames_above_the_bound_are_dropped_and_counted(simulator: CameraSimulator, broker) -> None:
    from prometheus_client import REGISTRY

    def dropped() -> float:
        labels = {"camera_id": CAMERA, "reason": "queue_full"}
        return REGISTRY.get_sample_value("vms_frames_dropped_total", labels) or 0.0

    before = dropped()
    declare_frames_queue(broker, 5)
    publisher = FramePublisher(PikaFrameChannel(TEST_URL, 5), max_depth=5, depth_cache_s=0.2)
    extractor = run_extractor(simulator, publisher)
    try:
        deadline = time.monotonic() + 25
        while dropped() < before + 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert dropped() >= before + 3
    finally:
        extractor.stop()
        publisher.close()
    depth = broker.queue_declare(QUEUE, passive=True).method.message_count
    assert depth == 5


def test_extractor_reconnects_when_the_camera_comes_back(
    simulator: CameraSimulator, broker
) -> None:
    declare_frames_queue(broker, 1000)
    publisher = FramePublisher(PikaFrameChannel(TEST_URL, 1000), max_depth=1000)
    extractor = run_extractor(simulator, publisher)
    try:
        assert wait_for_depth(broker, 1, timeout_s=20) >= 1
        simulator.stop_camera(PATH)
        deadline = time.monotonic() + 20
        while extractor.status().restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert extractor.status().restarts >= 1
        assert extractor.status().last_error
        frames = extractor.status().frames
        simulator.start_camera(PATH)
        deadline = time.monotonic() + 30
        while extractor.status().frames <= frames and time.monotonic() < deadline:
            time.sleep(0.2)
        assert extractor.status().frames > frames
        assert extractor.status().state == "running"
    finally:
        extractor.stop()
        publisher.close()
