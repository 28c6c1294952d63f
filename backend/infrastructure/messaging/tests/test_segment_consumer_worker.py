"""End to end: a real `celery -A config worker` consuming the real broker (vhost vms_test).

The worker runs as a subprocess against the test database; the tests publish with
vms_common's Publisher and watch rows appear and poison messages land in the DLQ.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pika
import pytest
from conftest import TEST_BROKER_URL

from apps.cameras.services import camera_create
from apps.playback.models import Recording
from apps.usuarios.services import tenant_create
from vms_common.contracts import SegmentCompleted, SegmentCorrupt, SegmentDeleted, SegmentTiered
from vms_common.publisher import Publisher
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

pytestmark = pytest.mark.django_db(transaction=True)

BACKEND = Path(__file__).resolve().parents[3]
PERSIST_QUEUE = "recordings.persist"
DEAD_LETTER_QUEUE = "recordings.dlq"
T0 = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
WAIT_S = 30.0


def database_url(settings_dict: dict[str, Any]) -> str:
    credentials = quote(settings_dict["USER"] or "")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"])
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A Celery worker process with the segment consumer step; yields its log file."""
    from django.db import connection

    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "RABBITMQ_URL": TEST_BROKER_URL,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"segment-consumer-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: (
                process.poll() is not None or b"consuming segment events" in log_path.read_bytes()
            ),
            "the worker to start consuming",
            log_path,
            timeout_s=60,
        )
        assert process.poll() is None, log_path.read_text()
        yield log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def channel(worker: Path) -> Iterator[Any]:
    """A channel on vms_test, with the topology declared and its queues purged."""
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        amqp = connection.channel()
        declare_topology(amqp, load_topology(DEFAULT_DEFINITIONS))
        amqp.queue_purge(PERSIST_QUEUE)
        amqp.queue_purge(DEAD_LETTER_QUEUE)
        yield amqp
    finally:
        connection.close()


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    publisher = Publisher(TEST_BROKER_URL, DEFAULT_DEFINITIONS, "recordings")
    try:
        yield publisher
    finally:
        publisher.close()


def wait_for(
    predicate: Callable[[], Any], what: str, log_path: Path, timeout_s: float = WAIT_S
) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    tail = log_path.read_text(errors="replace")[-4000:]
    pytest.fail(f"timed out after {timeout_s}s waiting for {what}; worker log:\n{tail}")


def dead_letters(amqp: Any, expected: int, log_path: Path) -> list[tuple[Any, bytes]]:
    received: list[tuple[Any, bytes]] = []

    def more() -> bool:
        method, properties, body = amqp.basic_get(DEAD_LETTER_QUEUE, auto_ack=True)
        if method is not None:
            received.append((properties, body))
        return len(received) >= expected

    wait_for(more, f"{expected} dead letters", log_path)
    return received


def test_published_segments_become_recordings(
    worker, channel, publisher, segment_event: Callable[..., SegmentCompleted]
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    events = [
        segment_event(camera, T0 + timedelta(minutes=n), T0 + timedelta(minutes=n + 1))
        for n in range(3)
    ]

    for event in events:
        publisher.publish(event)

    wait_for(lambda: Recording.objects.count() == 3, "3 recordings", worker)
    stored = Recording.objects.order_by("start")
    assert [r.event_id for r in stored] == [e.event_id for e in events]
    assert all(r.camera_id == camera.id and r.tenant_id == camera.tenant_id for r in stored)


def test_a_redelivered_event_creates_no_second_recording(
    worker, channel, publisher, segment_event: Callable[..., SegmentCompleted]
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    event = segment_event(camera, T0, T0 + timedelta(minutes=1))
    sentinel = segment_event(camera, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))

    publisher.publish(event)
    publisher.publish(event)
    publisher.publish(sentinel)

    wait_for(
        lambda: Recording.objects.filter(event_id=sentinel.event_id).exists(),
        "the event published after the duplicate",
        worker,
    )
    assert Recording.objects.filter(event_id=event.event_id).count() == 1
    assert Recording.objects.count() == 2


def test_poison_messages_are_dead_lettered_and_the_worker_keeps_consuming(
    worker, channel, publisher, segment_event: Callable[..., SegmentCompleted]
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    unknown_camera = segment_event(
        camera, T0, T0 + timedelta(minutes=1), camera_id=str(uuid.uuid4())
    )
    valid = segment_event(camera, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))

    channel.basic_publish(
        exchange="recordings",
        routing_key="segment.completed",
        body=b'{"schema_version": 1, "tenant_id": ',
        properties=pika.BasicProperties(
            content_type="application/json", delivery_mode=2, headers={"trace_id": "broken-1"}
        ),
    )
    publisher.publish(unknown_camera)
    publisher.publish(valid)

    wait_for(
        lambda: Recording.objects.filter(event_id=valid.event_id).exists(),
        "the valid event published after the poison",
        worker,
    )
    letters = dead_letters(channel, 2, worker)
    by_trace = {properties.headers["trace_id"]: (properties, body) for properties, body in letters}

    malformed_props, malformed_body = by_trace["broken-1"]
    assert malformed_body == b'{"schema_version": 1, "tenant_id": '
    assert "malformed JSON" in malformed_props.headers["x-vms-error"]
    assert malformed_props.headers["x-vms-original-routing-key"] == "segment.completed"

    unknown_props, unknown_body = by_trace[unknown_camera.trace_id]
    assert unknown_props.headers["x-vms-error"].startswith("unknown_camera:")
    assert SegmentCompleted.model_validate_json(unknown_body) == unknown_camera
    assert Recording.objects.count() == 1


def test_corrupt_tiered_and_deleted_segments_are_applied_in_order(
    worker, channel, publisher, segment_event: Callable[..., SegmentCompleted]
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    ids = {"tenant_id": str(camera.tenant_id), "camera_id": str(camera.id)}
    kept = segment_event(camera, T0, T0 + timedelta(minutes=1), init_size_bytes=700)
    gone = segment_event(camera, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))
    corrupt = SegmentCorrupt(
        **ids,
        start=T0 + timedelta(minutes=2),
        end=T0 + timedelta(minutes=2, seconds=30),
        path="acme/gate/segment_corrupt.mp4",
        size_bytes=100,
        sha256="0" * 64,
        reason="truncated",
    )
    tiered = SegmentTiered(
        **ids, start=kept.start, path=kept.path, location=f"s3://vms-recordings/{kept.path}"
    )
    deleted = SegmentDeleted(**ids, start=gone.start, path=gone.path, reason="disk_full")
    orphan = SegmentTiered(**ids, start=T0, path="acme/gate/never.mp4", location="s3://b0b/k")

    for event in (kept, gone, corrupt, tiered, deleted, orphan):
        publisher.publish(event)

    [(properties, body)] = dead_letters(channel, 1, worker)
    assert properties.headers["x-vms-error-code"] == "recording_not_found"
    assert SegmentTiered.model_validate_json(body) == orphan
    wait_for(
        lambda: not Recording.objects.filter(event_id=gone.event_id).exists(),
        "the deleted segment's recording to go",
        worker,
    )
    rows = {r.event_id: r for r in Recording.objects.all()}
    assert set(rows) == {kept.event_id, corrupt.event_id}
    assert (rows[kept.event_id].tier, rows[kept.event_id].location) == ("s3", tiered.location)
    assert rows[kept.event_id].init_size_bytes == 700
    assert (rows[corrupt.event_id].status, rows[corrupt.event_id].status_reason) == (
        "corrupt",
        "truncated",
    )
