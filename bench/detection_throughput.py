"""Frames per second through one detection worker with a provider that takes 200 ms.

Publishes `--frames` real 640x360 JPEG frames into the `frames` queue of the RabbitMQ at
`--url` (default: $VMS_TEST_RABBITMQ_URL), then starts one `DetectionWorker` running
`DetectFrame` (motion gate on, each frame a different picture so every frame reaches the
provider; a fake provider sleeping 200 ms; results published with confirms to `detections`)
and times from the start until every `DetectionResult` is on an exclusive queue bound to
`detections`. Talks only to the given broker; no AWS.

PASS: >= 100 frames/s.

    .venv/bin/python bench/detection_throughput.py [--frames 1000] [--threads 64]
"""

import argparse
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pika

from ai_detection.application.cameras import AnalysedCamera, AnalysedCameras
from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.detect_frames import DetectFrame
from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.detection_worker import DetectionWorker
from ai_detection.infrastructure.frame_dead_letters import FrameDeadLetters
from ai_detection.infrastructure.frame_queue import QUEUE, declare_frames_queue, frame_to_message
from ai_detection.infrastructure.motion_gate import MotionGate
from vms_common.contracts import Label
from vms_common.publisher import Publisher
from vms_common.topology import declare_topology, load_topology

DEFINITIONS = Path(__file__).resolve().parents[1] / "config" / "rabbitmq" / "definitions.json"
LATENCY_S = 0.2


class SlowProvider:
    name = "slow"

    def detect(self, frame: Frame) -> Detection:
        time.sleep(LATENCY_S)
        return Detection(labels=(Label(name="person", confidence=0.8),))


def jpegs(count: int) -> list[bytes]:
    """Distinct random pictures, so the motion gate passes every frame."""
    rng = np.random.default_rng(0)
    out = []
    for _ in range(count):
        small = rng.integers(0, 255, (36, 64, 3), dtype=np.uint8)
        image = cv2.resize(small, (640, 360), interpolation=cv2.INTER_NEAREST)
        ok, data = cv2.imencode(".jpg", image)
        assert ok
        out.append(data.tobytes())
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test"
        ),
    )
    parser.add_argument(
        "--frames", type=int, default=1000, choices=range(1, 1001), metavar="1..1000"
    )
    parser.add_argument("--threads", type=int, default=64)
    args = parser.parse_args()

    connection = pika.BlockingConnection(pika.URLParameters(args.url))
    channel = connection.channel()
    declare_frames_queue(channel, 1000)  # the production bound; --frames stays within it
    declare_topology(channel, load_topology(DEFINITIONS))
    channel.queue_purge(QUEUE)
    results = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(results, "detections", routing_key="#")

    pictures = jpegs(61)  # coprime with the 12 cameras
    for i in range(args.frames):
        frame = Frame("t1", f"cam{i % 12}", datetime.now(UTC), pictures[i % len(pictures)])
        body, headers = frame_to_message(frame)
        channel.basic_publish(
            "", QUEUE, body, pika.BasicProperties(content_type="image/jpeg", headers=headers)
        )

    publisher = Publisher(args.url, DEFINITIONS, "detections")
    detect = DetectFrame(
        gate=MotionGate(),
        cameras=AnalysedCameras(
            [AnalysedCamera("t1", f"cam{i}", SlowProvider()) for i in range(12)]
        ),
        fallback_provider=SlowProvider(),
        publisher=publisher,
        costs=CostTracker(),
    )
    letters = FrameDeadLetters(args.url)
    worker = DetectionWorker(args.url, detect.handle, letters, threads=args.threads)
    thread = threading.Thread(target=worker.run, daemon=True)
    started = time.monotonic()
    thread.start()
    deadline = started + max(60.0, args.frames / 20)
    got = 0
    while got < args.frames and time.monotonic() < deadline:
        got = channel.queue_declare(results, passive=True).method.message_count
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    worker.stop()
    thread.join(30)
    publisher.close()
    letters.close()
    channel.queue_purge("detections.processing")
    connection.close()

    rate = got / elapsed
    print(f"frames: {args.frames}, results: {got}, provider latency: {LATENCY_S * 1000:.0f} ms")
    print(f"worker: 1 process, {args.threads} threads, prefetch {args.threads * 2}")
    print(
        f"elapsed: {elapsed:.2f} s -> {rate:.0f} frames/s (ceiling {args.threads / LATENCY_S:.0f}/s)"
    )
    ok = got == args.frames and rate >= 100
    print("PASS" if ok else "FAIL", "(target: >= 100 frames/s through one worker)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
