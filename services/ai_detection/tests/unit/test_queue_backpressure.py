"""FramePublisher: depth check caching, drops above the bound, bounded logging.

Uses a fake FrameChannel (our port) and a fake clock; no broker.
"""

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.queue import BrokerError, FramePublisher


class FakeChannel:
    def __init__(self, depth: int = 0) -> None:
        self.queue_depth = depth
        self.depth_calls = 0
        self.published: list[tuple[bytes, dict[str, Any]]] = []
        self.fail = False

    def depth(self) -> int:
        self.depth_calls += 1
        if self.fail:
            raise BrokerError("down")
        return self.queue_depth

    def publish(self, body: bytes, headers: dict[str, Any]) -> None:
        if self.fail:
            raise BrokerError("down")
        self.published.append((body, headers))
        self.queue_depth += 1

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def frame(camera: str) -> Frame:
    return Frame("tenant-a", camera, datetime.now(UTC), b"\xff\xd8\xff\xd9")


def dropped(camera: str, reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "vms_frames_dropped_total", {"camera_id": camera, "reason": reason}
    )
    return value or 0.0


def test_depth_is_asked_once_per_cache_interval() -> None:
    channel, clock = FakeChannel(), Clock()
    publisher = FramePublisher(channel, max_depth=1000, depth_cache_s=0.5, clock=clock)
    for _ in range(10):
        assert publisher.publish(frame("cache-1"))
        clock.now += 0.04
    assert channel.depth_calls == 1
    clock.now += 0.2
    publisher.publish(frame("cache-1"))
    assert channel.depth_calls == 2
    assert len(channel.published) == 11


def test_frames_above_the_bound_are_dropped_and_counted() -> None:
    channel, clock = FakeChannel(depth=5), Clock()
    publisher = FramePublisher(channel, max_depth=5, clock=clock)
    before = dropped("full-1", "queue_full")
    assert not publisher.publish(frame("full-1"))
    assert not publisher.publish(frame("full-1"))
    assert channel.published == []
    assert dropped("full-1", "queue_full") == before + 2


def test_own_publishes_count_towards_the_cached_depth() -> None:
    channel, clock = FakeChannel(depth=3), Clock()
    publisher = FramePublisher(channel, max_depth=5, depth_cache_s=10, clock=clock)
    results = [publisher.publish(frame("own-1")) for _ in range(4)]
    assert results == [True, True, False, False]
    assert channel.depth_calls == 1


def test_publishing_resumes_once_the_queue_drains() -> None:
    channel, clock = FakeChannel(depth=5), Clock()
    publisher = FramePublisher(channel, max_depth=5, depth_cache_s=0.5, clock=clock)
    assert not publisher.publish(frame("drain-1"))
    channel.queue_depth = 0
    clock.now += 0.5
    assert publisher.publish(frame("drain-1"))


def test_drops_are_logged_at_most_once_per_camera_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel, clock = FakeChannel(depth=10), Clock()
    publisher = FramePublisher(channel, max_depth=5, log_interval_s=10, clock=clock)
    with caplog.at_level(logging.WARNING, "ai_detection.infrastructure.queue"):
        for _ in range(50):
            publisher.publish(frame("log-1"))
            publisher.publish(frame("log-2"))
            clock.now += 0.1  # 5 s in all
        assert len(caplog.records) == 2  # one per camera
        clock.now += 5.5
        publisher.publish(frame("log-1"))
        assert len(caplog.records) == 3
    assert caplog.records[-1].dropped == 50  # type: ignore[attr-defined]


def test_unreachable_broker_drops_frames_without_raising_and_retries_later() -> None:
    channel, clock = FakeChannel(), Clock()
    channel.fail = True
    publisher = FramePublisher(channel, retry_after_s=1.0, clock=clock)
    before = dropped("down-1", "broker_unreachable")
    assert not publisher.publish(frame("down-1"))
    assert not publisher.publish(frame("down-1"))
    assert channel.depth_calls == 1  # no reconnect attempt per frame
    assert dropped("down-1", "broker_unreachable") == before + 2
    channel.fail = False
    clock.now += 1.0
    assert publisher.publish(frame("down-1"))
