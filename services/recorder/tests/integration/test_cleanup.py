"""Retention and emergency cleanup on a real storage folder.

Segment files are small byte strings (cleanup never opens them). The disk is a fake of the
DiskUsage port that counts the bytes in the folder against a small capacity, since filling the
real disk is not an option; announcements go to RabbitMQ (vhost from VMS_TEST_RABBITMQ_URL) in
one test and to a fake of the announcer port in the others.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pika
import pytest
from prometheus_client import REGISTRY

from recorder.announcer import OutboxAnnouncer
from recorder.cleanup import Cleaner
from recorder.policies import PolicyStore
from recorder.retention import DiskSpace, EvidenceHold, RetentionPolicy
from recorder.storage import incoming_dir, segment_relative_path
from vms_common.contracts import Event, SegmentDeleted, decode, utc_now
from vms_common.publisher import Publisher
from vms_common.settings import DEFAULT_DEFINITIONS

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
TENANT = "tenant-a"
SIZE = 1000


class FakeAnnouncer:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def announce(self, event: Event) -> None:
        self.events.append(event)


class FolderDisk:
    """A disk of `capacity` bytes holding exactly what is in the folder."""

    def __init__(self, root: Path, capacity: int) -> None:
        self.root, self.capacity = root, capacity

    def space(self) -> DiskSpace:
        used = sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())
        return DiskSpace(used_bytes=used, free_bytes=self.capacity - used)


def _write(root: Path, camera: str, start: datetime, size: int = SIZE) -> str:
    relative = segment_relative_path(TENANT, camera, start).as_posix()
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return relative


def _live_segment(root: Path, camera: str, start: datetime) -> Path:
    """A segment being written, named like a finished one, in `.incoming`."""
    path = incoming_dir(root, TENANT, camera, "run-1") / Path(
        segment_relative_path(TENANT, camera, start).name
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * SIZE)
    return path


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "recordings"
    root.mkdir()
    return root


def _deleted(events: list[Event]) -> dict[str, SegmentDeleted]:
    assert all(isinstance(e, SegmentDeleted) for e in events)
    return {e.path: e for e in events if isinstance(e, SegmentDeleted)}


def test_retention_deletes_each_cameras_expired_footage_but_never_held_or_live_segments(root):
    now = utc_now()
    policies = PolicyStore(root, default_retention_days=30)
    day = timedelta(days=1)
    held_at = now - 10 * day
    policies.put(
        TENANT,
        "cam-1",
        RetentionPolicy(
            7, holds=(EvidenceHold("case-1", held_at, held_at + timedelta(minutes=1)),)
        ),
    )
    expired_1 = [_write(root, "cam-1", now - 9 * day + timedelta(minutes=m)) for m in range(3)]
    held = _write(root, "cam-1", held_at)
    kept_1 = _write(root, "cam-1", now - 6 * day)
    expired_2 = _write(root, "cam-2", now - 31 * day)  # default retention: 30 days
    kept_2 = _write(root, "cam-2", now - 20 * day)
    live = _live_segment(root, "cam-1", now - 60 * day)
    corrupt = root / ".corrupt" / TENANT / "cam-1" / "run-segment_0.mp4"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"bad")
    announcer = FakeAnnouncer()

    report = Cleaner(root, policies, announcer, FolderDisk(root, 10**9)).retention_pass(now)

    gone = {*expired_1, expired_2}
    assert report.deleted == len(gone)
    assert report.freed_bytes == len(gone) * SIZE
    for relative in gone:
        assert not (root / relative).exists()
    for relative in (held, kept_1, kept_2):
        assert (root / relative).exists()
    assert live.exists()
    assert corrupt.exists()
    events = _deleted(announcer.events)
    assert set(events) == gone
    assert {e.reason for e in events.values()} == {"retention"}
    assert events[expired_2].camera_id == "cam-2"
    assert events[expired_2].start.isoformat() == _name_time(expired_2)
    # the emptied day folder of the expired footage is gone, the camera folder stays
    assert not (root / expired_1[0]).parent.parent.exists()
    assert (root / TENANT / "cam-2").is_dir()


def _name_time(relative: str) -> str:
    stamp = Path(relative).name.removeprefix("segment_").removesuffix("Z.mp4")
    start = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    return start.isoformat()


def test_a_camera_with_an_unreadable_policy_is_left_alone(root):
    now = utc_now()
    policies = PolicyStore(root, default_retention_days=30)
    policies.put(TENANT, "cam-1", RetentionPolicy(1))
    (root / ".policies" / TENANT / "cam-1.json").write_text("[")
    old = _write(root, "cam-1", now - timedelta(days=90))

    report = Cleaner(root, policies, FakeAnnouncer(), FolderDisk(root, 10**9)).retention_pass(now)

    assert (root / old).exists()
    assert report.skipped_cameras == [f"{TENANT}/cam-1"]


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def test_a_disk_below_the_mark_is_left_alone(root):
    now = utc_now()
    for m in range(8):
        _write(root, "cam-1", now - timedelta(hours=2, minutes=m))
    announcer = FakeAnnouncer()
    # 8000 of 10000 bytes: 80 %, under the 90 % mark
    report = Cleaner(
        root, PolicyStore(root, 30), announcer, FolderDisk(root, 10_000)
    ).emergency_pass()
    assert report.deleted == 0
    assert announcer.events == []
    assert _sample("vms_recorder_disk_usage_ratio") == pytest.approx(0.8)


def test_a_full_disk_loses_the_oldest_unheld_footage_across_cameras_until_below_target(root):
    now = utc_now()
    policies = PolicyStore(root, default_retention_days=30)
    start = now - timedelta(days=2)
    cam1 = [_write(root, "cam-1", start + timedelta(minutes=2 * n)) for n in range(5)]
    cam2 = [_write(root, "cam-2", start + timedelta(minutes=2 * n + 1)) for n in range(4)]
    # the very oldest segment of cam-1 is held
    policies.put(
        TENANT,
        "cam-1",
        RetentionPolicy(30, holds=(EvidenceHold("case", start, start + timedelta(seconds=1)),)),
    )
    live = _live_segment(root, "cam-2", start - timedelta(days=1))
    disk = FolderDisk(root, 10_500)
    assert disk.space().ratio > 0.95
    announcer = FakeAnnouncer()
    passes = _sample("vms_recorder_emergency_passes_total")
    deleted_2 = _sample(
        "vms_recorder_deleted_segments_total",
        {"tenant_id": TENANT, "camera_id": "cam-2", "reason": "disk_full"},
    )

    report = Cleaner(
        root, policies, announcer, disk, emergency_percent=90, target_percent=70
    ).emergency_pass()

    # 10 000 bytes of segments and ~150 of policy on 10 500: 96.7 %; each deletion frees
    # 9.5 points, so three bring it under 70 %: the oldest ones, skipping the held one
    expected = [cam2[0], cam1[1], cam2[1]]
    assert [e.path for e in _deleted(announcer.events).values()] == expected
    assert {e.reason for e in _deleted(announcer.events).values()} == {"disk_full"}
    for relative in expected:
        assert not (root / relative).exists()
    assert (root / cam1[0]).exists()  # held
    assert live.exists()  # being written
    assert disk.space().ratio < 0.70
    assert report.usage_after == pytest.approx(disk.space().ratio)
    assert _sample("vms_recorder_emergency_passes_total") == passes + 1
    assert (
        _sample(
            "vms_recorder_deleted_segments_total",
            {"tenant_id": TENANT, "camera_id": "cam-2", "reason": "disk_full"},
        )
        == deleted_2 + 2
    )
    assert _sample("vms_recorder_disk_usage_ratio") == pytest.approx(report.usage_after)


def test_a_disk_full_of_held_and_live_footage_is_reported_not_a_crash(root):
    now = utc_now()
    policies = PolicyStore(root, default_retention_days=30)
    start = now - timedelta(days=2)
    policies.put(
        TENANT,
        "cam-1",
        RetentionPolicy(30, holds=(EvidenceHold("case", start - timedelta(hours=1), now),)),
    )
    held = [_write(root, "cam-1", start + timedelta(minutes=n)) for n in range(5)]
    _live_segment(root, "cam-1", now)
    announcer = FakeAnnouncer()

    report = Cleaner(root, policies, announcer, FolderDisk(root, 6_100)).emergency_pass()

    assert report.deleted == 0
    assert announcer.events == []
    assert all((root / relative).exists() for relative in held)
    assert report.usage_after is not None and report.usage_after > 0.9


def test_deletions_are_announced_on_the_broker(root):
    """The real outbox announcer publishing to RabbitMQ."""
    connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
    channel = connection.channel()
    channel.exchange_declare("recordings", "topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, "recordings", "segment.deleted")
    publisher = Publisher(TEST_URL, DEFAULT_DEFINITIONS, "recordings")
    announcer = OutboxAnnouncer(publisher, root / ".outbox")
    try:
        now = utc_now()
        old = _write(root, "cam-1", now - timedelta(days=45))
        Cleaner(root, PolicyStore(root, 30), announcer, FolderDisk(root, 10**9)).retention_pass(now)
        assert announcer.pending() == 0
        method, _, body = channel.basic_get(queue, auto_ack=True)
        for _ in range(50):
            if method is not None:
                break
            connection.sleep(0.1)
            method, _, body = channel.basic_get(queue, auto_ack=True)
        assert method is not None, "no segment.deleted on the broker"
        event = decode(method.routing_key, body)
        assert isinstance(event, SegmentDeleted)
        assert (event.tenant_id, event.camera_id, event.path, event.reason) == (
            TENANT,
            "cam-1",
            old,
            "retention",
        )
        assert not (root / old).exists()
    finally:
        publisher.close()
        connection.close()
